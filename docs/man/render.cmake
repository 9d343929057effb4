# Renders one man page at build time (docs/man/CMakeLists.txt):
#
#   cmake -DSCDOC=... -DSOURCE=page.N.scd[.in] -DOUT=build/page.N -DVERSION=x.y.z
#         [-DDATE=epoch-seconds] [-DKEYS=config-keys.scd] -P render.cmake
#
# Replaces @VERSION@ in the source, and with KEYS the line @CONFIG_KEYS@ with that
# generated section (config_keys_scdoc); writes OUT.scd; runs scdoc into OUT, its
# footer dated DATE rather than today; and compresses OUT into OUT.gz (gzip -9n, as
# Debian installs man pages: no name or time stamp in the gzip header, so that the
# same page gives the same bytes).
cmake_minimum_required(VERSION 3.25) # the policies of the project, in script mode too
foreach(var SCDOC SOURCE OUT VERSION)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "render.cmake: -D${var}= is missing")
    endif()
endforeach()

file(READ "${SOURCE}" text)
string(REPLACE "@VERSION@" "${VERSION}" text "${text}")
if(DEFINED KEYS)
    file(READ "${KEYS}" keys)
    string(FIND "${text}" "\n@CONFIG_KEYS@\n" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "${SOURCE}: no line @CONFIG_KEYS@ for the generated keys")
    endif()
    string(REPLACE "\n@CONFIG_KEYS@\n" "\n${keys}" text "${text}")
endif()
string(FIND "${text}" "@CONFIG_KEYS@" left)
if(NOT left EQUAL -1)
    message(FATAL_ERROR "${SOURCE}: @CONFIG_KEYS@ left in a page without generated keys")
endif()
file(WRITE "${OUT}.scd" "${text}")

if(DEFINED DATE)
    set(ENV{SOURCE_DATE_EPOCH} "${DATE}") # scdoc dates the footer with it
endif()

execute_process(COMMAND "${SCDOC}" INPUT_FILE "${OUT}.scd" OUTPUT_FILE "${OUT}"
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    file(REMOVE "${OUT}")
    message(FATAL_ERROR "scdoc ${OUT}.scd (from ${SOURCE}): ${err}")
endif()
execute_process(COMMAND gzip -9nc "${OUT}" OUTPUT_FILE "${OUT}.gz" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip ${OUT} failed")
endif()
