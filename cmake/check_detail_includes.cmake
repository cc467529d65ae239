# Each library's detail/ headers are its own (style.md, habit 7): fails when a file under
# src/ includes "X/detail/..." from outside src/X/. Run by the build (target
# check_detail_includes, part of ALL) and by ctest. Tests may include the detail/ headers
# of the library they test; src/ may not reach into another library.
#   cmake -DSOURCE_DIR=<checkout> [-DSTAMP=<file touched on success>] -P check_detail_includes.cmake
file(GLOB_RECURSE files "${SOURCE_DIR}/src/*.cpp" "${SOURCE_DIR}/src/*.hpp"
     "${SOURCE_DIR}/fuzz/*.cpp" "${SOURCE_DIR}/bench/*.cpp")
set(bad "")
foreach(f IN LISTS files)
  file(RELATIVE_PATH rel "${SOURCE_DIR}/src" "${f}")
  file(STRINGS "${f}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<][^\">]*/detail/")
  foreach(line IN LISTS lines)
    string(REGEX MATCH "[\"<]([^\">]*)/detail/" unused "${line}")
    set(owner "${CMAKE_MATCH_1}")
    string(FIND "${rel}" "${owner}/" at)
    if(NOT at EQUAL 0)
      list(APPEND bad "  ${f}: ${line}")
    endif()
  endforeach()
endforeach()
if(bad)
  list(JOIN bad "\n" text)
  message(FATAL_ERROR "another library's detail/ header included (use its public header, "
                      "or move the shared code into a library both may use):\n${text}")
endif()
if(STAMP)
  file(TOUCH "${STAMP}")
endif()
