# Shortcuts for the two commands in the README (each works without make, too).
.PHONY: run test
run:
	bin/run
test:
	bin/test
