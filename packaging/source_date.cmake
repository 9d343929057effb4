# VMAILDIR_SOURCE_DATE_EPOCH: the date the man pages' footers and changelog.Debian
# carry, so that one source tree gives the same pages and package whenever it is
# built.  SOURCE_DATE_EPOCH when set (reproducible-builds.org), else the time of the
# checked-out commit, else now.
if(DEFINED VMAILDIR_SOURCE_DATE_EPOCH)
    return()
endif()
if(DEFINED ENV{SOURCE_DATE_EPOCH})
    set(VMAILDIR_SOURCE_DATE_EPOCH "$ENV{SOURCE_DATE_EPOCH}")
else()
    find_package(Git QUIET)
    if(GIT_FOUND)
        execute_process(COMMAND ${GIT_EXECUTABLE} log -1 --format=%ct
                        WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                        OUTPUT_VARIABLE VMAILDIR_SOURCE_DATE_EPOCH
                        OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
    endif()
    if(NOT VMAILDIR_SOURCE_DATE_EPOCH MATCHES "^[0-9]+$")
        string(TIMESTAMP VMAILDIR_SOURCE_DATE_EPOCH "%s" UTC)
    endif()
endif()
