# SPDX-License-Identifier: Apache-2.0
# Turns data/wordlist_eff_large.txt (one word a line) into a C array.
file(STRINGS ${IN} words)
set(body "")
set(count 0)
foreach(w ${words})
  string(STRIP "${w}" w)
  if(NOT w STREQUAL "")
    string(APPEND body "  \"${w}\",\n")
    math(EXPR count "${count} + 1")
  endif()
endforeach()
file(WRITE ${OUT} "/* Generated from data/wordlist_eff_large.txt: do not edit. */\n#include <stddef.h>\nconst char *const sesame_wordlist[] = {\n${body}};\nconst size_t sesame_wordlist_len = ${count};\n")
