# cmake -DTOOL=dmirrorctl -DCOMMAND=scrub|"" -DPROSE=page.in -DOUT=page -P make_page.cmake
# Joins `dmirrorctl __man COMMAND` (the generated NAME, SYNOPSIS, OPTIONS,
# EXIT STATUS) with the hand-written prose: the prose up to its first .SH
# replaces @DESCRIPTION@, its remaining sections (FILES, SEE ALSO) end the page.
execute_process(COMMAND ${TOOL} __man ${COMMAND} OUTPUT_VARIABLE generated RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${TOOL} __man ${COMMAND} failed (${rc})")
endif()
file(READ ${PROSE} prose)
string(FIND "${prose}" "\n.SH " split)
if(split EQUAL -1)
  set(description "${prose}")
  set(tail "")
else()
  string(SUBSTRING "${prose}" 0 ${split} description)
  math(EXPR split "${split} + 1")
  string(SUBSTRING "${prose}" ${split} -1 tail)
endif()
string(STRIP "${description}" description)
string(REPLACE "@DESCRIPTION@" "${description}" page "${generated}")
file(WRITE ${OUT} "${page}${tail}")
