# li2 headers -> Doxygen input (doc/Doxyfile's FILTER_PATTERNS).
# The comment that opens a header describes the file.
1s|^/\* \(.*\)$|/** @file\n * \1|
# A comment starting a line documents what follows it.
2,$s|^\([ \t]*\)/\*\([ \n]\)|\1/**\2|
2,$s|^\([ \t]*\)/\*$|\1/**|
# A comment after a declaration, member or enum value documents it.
s|\([;,{]\)\([ \t]*\)/\*\([ ]\)|\1\2/**<\3|
s|^\([ \t]*[A-Z][A-Z0-9_]*\)\([ \t]*\)/\*\([ ]\)|\1\2/**<\3|
