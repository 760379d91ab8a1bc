#!/bin/sh
# Run a test program under valgrind (configure --enable-valgrind).
exec valgrind --quiet --error-exitcode=99 --leak-check=full "$@"
