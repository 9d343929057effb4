# ctest man_config_keys (label unit): the rendered vmaildir.conf(5) documents every key
# `vmaildir config-keys` prints, each as a bold heading (\fBNAME\fR in scdoc's roff).
#
#   cmake -DVMAILDIR=path/to/vmaildir -DPAGE=build/docs/man/vmaildir.conf.5 -P check_config_keys.cmake
cmake_minimum_required(VERSION 3.25) # the policies of the project, in script mode too
if(NOT EXISTS "${PAGE}")
    message(FATAL_ERROR "${PAGE} does not exist: build the man target first")
endif()
execute_process(COMMAND "${VMAILDIR}" config-keys OUTPUT_VARIABLE reference
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${VMAILDIR} config-keys exited ${rc}")
endif()
file(READ "${PAGE}" page)

# config-keys prints "name (default: x)" or "name (required)" or "name" at the start of a
# line, and the help indented below it.
string(REGEX MATCHALL "(^|\n)[a-z][a-z0-9_]*" names "${reference}")
list(LENGTH names count)
if(count LESS 20)
    message(FATAL_ERROR "only ${count} keys in `vmaildir config-keys`: its format changed?")
endif()
set(missing)
foreach(name IN LISTS names)
    string(STRIP "${name}" name)
    string(FIND "${page}" "\\fB${name}\\fR" at)
    if(at EQUAL -1)
        list(APPEND missing ${name})
    endif()
endforeach()
if(missing)
    message(FATAL_ERROR "vmaildir.conf(5) lacks these keys of `vmaildir config-keys`: ${missing}")
endif()
string(FIND "${page}" "@CONFIG_KEYS@" left)
if(NOT left EQUAL -1)
    message(FATAL_ERROR "vmaildir.conf(5) still holds the @CONFIG_KEYS@ placeholder")
endif()
message(STATUS "vmaildir.conf(5) documents all ${count} keys of `vmaildir config-keys`")
