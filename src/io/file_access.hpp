// Private helpers of the I/O module: error messages, reading and mapping files.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace centrix::io::detail {

/// Throws IoError "<path>: <what>".
[[noreturn]] void fail(const std::string& path, std::string_view what);

/// The system's description of an errno value ("No such file or directory").
std::string error_text(int error_number);

/// `text` made fit for a one-line message: control characters become '?', and
/// text longer than 40 bytes is cut (at a UTF-8 character boundary) and ends in "...".
std::string printable(std::string_view text);

/// The extension of `path` (".csv"), lower-cased so that ".CSV" is recognised too.
std::string lowercase_extension(const std::string& path);

/// A read-only private memory map of a whole file. The bytes stay valid for as
/// long as any copy of `bytes` lives (the last one unmaps the file).
struct MappedFile {
  std::shared_ptr<const std::byte> bytes;
  std::size_t size = 0;
};

/// Maps `path`; throws IoError when it cannot be opened, is a directory or is empty.
MappedFile map_file(const std::string& path);

/// Reads all of `path` into memory; throws IoError when it cannot be opened or read, or is a directory.
std::string read_file(const std::string& path);

}  // namespace centrix::io::detail
