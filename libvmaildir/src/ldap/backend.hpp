// The LDAP backend as the registry lists it (service/backends.cpp).
#pragma once

#include "directory/backend.hpp"

namespace vmaildir::ldap {

const Backend& ldap_backend();

} // namespace vmaildir::ldap
