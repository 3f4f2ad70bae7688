# Sanitizer and fuzzing builds (see scripts/sanitize.sh and scripts/fuzz.sh).
#   -DDMIRROR_SANITIZE=address,undefined   ASan + UBSan on every target
#   -DDMIRROR_SANITIZE=thread              TSan on every target
#   -DDMIRROR_FUZZ=ON                      libFuzzer targets in tests/fuzz; needs
#                                          clang >= 19 (std::expected with
#                                          libstdc++ 12), e.g.
#                                          -DCMAKE_CXX_COMPILER=clang++-19
# Use a separate build directory for each.
set(DMIRROR_SANITIZE "" CACHE STRING "Sanitizers for every target: address,undefined or thread")
option(DMIRROR_FUZZ "Build the libFuzzer targets in tests/fuzz (clang only)" OFF)

if(DMIRROR_SANITIZE)
  if(DMIRROR_SANITIZE MATCHES "thread" AND DMIRROR_SANITIZE MATCHES "address")
    message(FATAL_ERROR "DMIRROR_SANITIZE: thread cannot be combined with address")
  endif()
  add_compile_options(-fsanitize=${DMIRROR_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${DMIRROR_SANITIZE})
endif()

if(DMIRROR_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "DMIRROR_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++-19")
  endif()
  # Coverage instrumentation everywhere; the fuzz executables add the
  # libFuzzer driver (-fsanitize=fuzzer) themselves.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
