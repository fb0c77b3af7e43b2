#!/usr/bin/env bash
# Builds the Go client example offline (GOPATH mode) from Debian's golang packages:
# golang-go 1.19, golang-google-grpc-dev 1.33, protoc-gen-go-1-3. Output: .build-go/facegate-example
set -euo pipefail
cd "$(dirname "$0")/.."
export GO111MODULE=off GOFLAGS= GOPROXY=off CGO_ENABLED=0
export GOPATH="$PWD/Clients/go:/usr/share/gocode" GOCACHE="$PWD/.build-go/cache"
mkdir -p .build-go
go build -o .build-go/facegate-example facegate/cmd/facegate-example
echo "built .build-go/facegate-example"
