// Socketmap and tcp_table codecs of vmaildir-postfix (postfix-tcp-table/protocol.hpp).
#include <doctest/doctest.h>

#include "protocol.hpp"
