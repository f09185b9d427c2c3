import DoeProvenance
import Foundation
import Testing

@Suite struct FileDigestTests {
    @Test func knownVectorsAndFilesLargerThanOneBlock() throws {
        #expect(FileDigest.sha256(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(FileDigest.sha256(of: Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let path = NSTemporaryDirectory() + "doe-digest-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let data = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try data.write(to: URL(fileURLWithPath: path))
        #expect(try FileDigest.sha256(ofFile: path) == FileDigest.sha256(of: data))
        #expect(throws: (any Error).self) { try FileDigest.sha256(ofFile: path + ".missing") }
    }
}
