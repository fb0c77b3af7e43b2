# FaceGate: the two commands a fresh Debian 12 machine needs.
#   make run   installs dependencies, fetches the default model, builds release, serves on :50051
#   make test  the whole test suite (what CI runs)
.PHONY: run test setup build gen

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

build: setup
	swift build -c release

gen: setup
	bash scripts/gen-protos.sh
