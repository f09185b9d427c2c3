#!/usr/bin/env bash
# Regenerates Sources/DoeONNX/Generated/onnx-subset.pb.swift from Sources/DoeONNX/Proto/onnx-subset.proto.
# Needs protoc (Debian: protobuf-compiler) and protoc-gen-swift built from swift-protobuf at the version
# Package.swift uses:  git clone https://github.com/apple/swift-protobuf && cd swift-protobuf &&
#                      git checkout 1.39.0 && swift build -c release --product protoc-gen-swift
# PROTOC_GEN_SWIFT points at that binary. The generated file is committed, so building doe never needs protoc.
set -euo pipefail
cd "$(dirname "$0")/.."
PLUGIN=${PROTOC_GEN_SWIFT:-protoc-gen-swift}
protoc --plugin=protoc-gen-swift="$PLUGIN" --swift_opt=Visibility=Public \
    --proto_path=Sources/DoeONNX/Proto --swift_out=Sources/DoeONNX/Generated onnx-subset.proto
echo "generated Sources/DoeONNX/Generated/onnx-subset.pb.swift"
