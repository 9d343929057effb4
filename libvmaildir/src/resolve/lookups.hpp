// The lookup side of one configuration over one directory, built in order: the
// entry mapper, the reader that searches with it, the resolver over the reader,
// and the map answers over the resolver.  The Service facade holds one; the
// core's own tests build one without the rest of the library.
#pragma once

#include "model/mail_reader.hpp"
#include "resolve/map_answers.hpp"
#include "resolve/resolver.hpp"
#include "vmaildir/config/config.hpp"

namespace vmaildir {

/// Each part refers to the one before: not copyable, not movable.  Thread-safe.
struct Lookups {
    /// `directory` and `log` must outlive it.
    Lookups(const Config& config, Directory& directory, Logger& log);
    Lookups(const Lookups&) = delete;
    Lookups& operator=(const Lookups&) = delete;

    EntryMapper mapper;
    MailReader reader;
    Resolver resolver;
    MapAnswers maps;
};

} // namespace vmaildir
