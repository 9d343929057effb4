// Building the lookup side of a configuration (lookups.hpp).
#include "resolve/lookups.hpp"

namespace vmaildir {

Lookups::Lookups(const Config& c, Directory& directory, Logger& log)
    : mapper(c.schema, ModelSettings{c.search_base, c.size_limit, c.edit_accounts_default,
                                     c.edit_postmasters_default, c.address, c.minimum_uid,
                                     !c.static_uid, !c.static_gid}),
      reader(directory, mapper),
      resolver(reader, ResolverSettings{c.timeout, c.recursion_limit, c.expansion_limit, c.cache},
               log),
      maps(resolver, MapSettings{c.default_transport, c.static_uid, c.static_gid}, c.cache, log) {}

} // namespace vmaildir
