// null_milter -- a libmilter filter that lets every MAIL and RCPT continue at
// once, without looking anything up: the ceiling against which vmaildir-milter
// is measured (bench/run-milter-bench).
//
//   null_milter SOCKET        (libmilter's syntax: inet:PORT@127.0.0.1, unix:/PATH)
//
// It negotiates exactly as milter/filter.cpp does (the MTA may skip CONNECT,
// HELO, headers, end of headers, body, DATA and unknown commands; the MAIL and
// RCPT macro lists are "i {auth_authen}") and runs on the same libmilter with
// the same listen backlog, so the difference between the two is the check
// itself (the cache, the resolver, the directory), not the protocol or
// libmilter's worker pool.  libmilter stops it on SIGTERM/SIGINT (within the
// ~5 s of its accept poll).  Exit 0 after a signal, 71 when the socket cannot
// be opened, 64 on usage.
#include <cstdio>
#include <libmilter/mfapi.h>
#include <string>

namespace {

sfsistat on_negotiate(SMFICTX* ctx, unsigned long f0, unsigned long f1, unsigned long,
                      unsigned long, unsigned long* pf0, unsigned long* pf1, unsigned long* pf2,
                      unsigned long* pf3) noexcept {
    const unsigned long skip = SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOHDRS | SMFIP_NOEOH |
                               SMFIP_NOBODY | SMFIP_NOUNKNOWN | SMFIP_NODATA;
    *pf0 = 0;
    *pf1 = f1 & skip;
    *pf2 = 0;
    *pf3 = 0;
    if (f0 & SMFIF_SETSYMLIST) {
        *pf0 |= SMFIF_SETSYMLIST;
        char mail[] = "i {auth_authen}";
        char rcpt[] = "i {auth_authen}";
        smfi_setsymlist(ctx, SMFIM_ENVFROM, mail);
        smfi_setsymlist(ctx, SMFIM_ENVRCPT, rcpt);
    }
    return SMFIS_CONTINUE;
}

sfsistat on_envfrom(SMFICTX*, char**) noexcept {
    return SMFIS_CONTINUE;
}

sfsistat on_envrcpt(SMFICTX*, char**) noexcept {
    return SMFIS_CONTINUE;
}

char filter_name[] = "null_milter";

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: null_milter SOCKET   (inet:PORT@127.0.0.1, unix:/PATH)\n");
        return 64;
    }
    std::string spec = argv[1];
    struct smfiDesc d {};
    d.xxfi_name = filter_name;
    d.xxfi_version = SMFI_VERSION;
    d.xxfi_flags = 0;
    d.xxfi_envfrom = on_envfrom;
    d.xxfi_envrcpt = on_envrcpt;
    d.xxfi_negotiate = on_negotiate;
    if (smfi_setconn(spec.data()) != MI_SUCCESS || smfi_setbacklog(128) != MI_SUCCESS ||
        smfi_register(d) != MI_SUCCESS || smfi_opensocket(true) != MI_SUCCESS) {
        std::fprintf(stderr, "null_milter: cannot listen on %s\n", spec.c_str());
        return 71;
    }
    return smfi_main() == MI_SUCCESS ? 0 : 71;
}
