import Foundation

extension JSONValue {
    /// `value` encoded by `JSONEncoder` (sorted keys) and read back as a JSON value, for embedding a `Codable` record
    /// in a journal line or a message.
    public init<T: Encodable>(encoding value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity",
                                                                      nan: "NaN")
        self = try JSONValue.parse(try encoder.encode(value))
    }

    /// This value decoded as `T` by `JSONDecoder`.
    public func decoded<T: Decodable>(as type: T.Type) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity",
                                                                        nan: "NaN")
        return try decoder.decode(T.self, from: Data(serialized.utf8))
    }
}
