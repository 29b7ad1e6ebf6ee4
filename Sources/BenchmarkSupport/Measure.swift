#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the benchmark executables share: timing, the process's memory from /proc, fixed
/// formatting, and running this executable again for one measurement in a fresh process
/// (so each row's peak memory is its own).

public func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// The value of `body` and how long it took, in seconds.
public func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try body()
    return (value, seconds(clock.now - start))
}

/// Lines of a text file (for /proc), or [] if it cannot be read.
public func readLines(_ path: String) -> [String] {
    guard let f = fopen(path, "r") else { return [] }
    defer { fclose(f) }
    var lines: [String] = []
    var buffer = [CChar](repeating: 0, count: 4096)
    while fgets(&buffer, Int32(buffer.count), f) != nil {
        let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        lines.append(line.hasSuffix("\n") ? String(line.dropLast()) : line)
    }
    return lines
}

/// A field of /proc/self/status in kB (VmHWM = peak resident set, VmRSS = current); 0 if unreadable.
public func procStatusKB(_ field: String) -> Int {
    for line in readLines("/proc/self/status") where line.hasPrefix(field + ":") {
        return Int(line.dropFirst(field.count + 1).filter(\.isNumber)) ?? 0
    }
    return 0
}

/// `x` with exactly `decimals` decimals.
public func fixed(_ x: Double, _ decimals: Int) -> String {
    var p = 1.0
    for _ in 0..<decimals { p *= 10 }
    let whole = Int((x * p).rounded())
    let digits = String(abs(whole)).leftPadded(decimals + 1, with: "0")
    let cut = digits.index(digits.endIndex, offsetBy: -decimals)
    return (whole < 0 ? "-" : "") + (decimals == 0 ? digits : digits[..<cut] + "." + digits[cut...])
}

/// `s` padded with spaces to `width`, on the left (right-aligned) unless `right` is false.
public func pad(_ s: String, _ width: Int, right: Bool = true) -> String {
    guard s.count < width else { return s }
    let fill = String(repeating: " ", count: width - s.count)
    return right ? fill + s : s + fill
}

extension String {
    public func leftPadded(_ width: Int, with c: Character) -> String {
        count >= width ? self : String(repeating: c, count: width - count) + self
    }
}

/// The path of this executable.
public func selfPath() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    if n > 0 { return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    return CommandLine.arguments[0]
}

/// Runs this executable again with `arguments` and returns the `key=value` fields of the
/// lines it prints starting with `RESULT `.
public func childResult(_ arguments: [String]) -> [String: String] {
    let command = ([selfPath()] + arguments).map { "'\($0)'" }.joined(separator: " ")
    guard let pipe = popen(command, "r") else { return [:] }
    defer { pclose(pipe) }
    var buffer = [CChar](repeating: 0, count: 8192)
    var fields: [String: String] = [:]
    while fgets(&buffer, Int32(buffer.count), pipe) != nil {
        let line = String(decoding: buffer.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard line.hasPrefix("RESULT ") else { continue }
        for part in line.dropFirst(7).split(separator: " ") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
        }
    }
    return fields
}
