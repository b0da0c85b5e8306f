#include "io/file_access.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>

#include "centrix/error.hpp"

namespace centrix::io::detail {

void fail(const std::string& path, std::string_view what) {
  std::string message = path;
  message += ": ";
  message += what;
  throw IoError(message);
}

std::string error_text(int error_number) {
  return std::system_category().message(error_number);
}

std::string printable(std::string_view text) {
  constexpr std::size_t longest = 40;
  std::size_t length = text.size();
  if (length > longest) {
    length = longest;
    while (length > 0 && (static_cast<unsigned char>(text[length]) & 0xC0) == 0x80) --length;
  }
  std::string result;
  result.reserve(length + 3);
  for (const char c : text.substr(0, length)) result += static_cast<unsigned char>(c) < 0x20 || c == 0x7F ? '?' : c;
  if (length < text.size()) result += "...";
  return result;
}

std::string lowercase_extension(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

namespace {

class FileDescriptor {
 public:
  explicit FileDescriptor(int descriptor) noexcept : descriptor_(descriptor) {}
  FileDescriptor(FileDescriptor&& other) noexcept : descriptor_(std::exchange(other.descriptor_, -1)) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  FileDescriptor& operator=(FileDescriptor&&) = delete;
  ~FileDescriptor() {
    if (descriptor_ >= 0) ::close(descriptor_);
  }

  [[nodiscard]] int get() const noexcept { return descriptor_; }

 private:
  int descriptor_;
};

struct OpenedFile {
  FileDescriptor descriptor;
  struct stat status;
};

// Opens `path` for reading and describes it.
OpenedFile open_for_reading(const std::string& path) {
  OpenedFile opened{FileDescriptor(::open(path.c_str(), O_RDONLY | O_CLOEXEC)), {}};
  if (opened.descriptor.get() < 0 || ::fstat(opened.descriptor.get(), &opened.status) != 0) {
    fail(path, "cannot open: " + error_text(errno));
  }
  // open() succeeds on a directory; reading it would only fail later, with a less helpful EISDIR.
  if (S_ISDIR(opened.status.st_mode)) fail(path, "is a directory");
  return opened;
}

}  // namespace

MappedFile map_file(const std::string& path) {
  const OpenedFile opened = open_for_reading(path);
  const FileDescriptor& descriptor = opened.descriptor;
  if (!S_ISREG(opened.status.st_mode)) fail(path, "not a regular file (it cannot be memory-mapped)");
  const auto size = static_cast<std::size_t>(opened.status.st_size);
  if (size == 0) fail(path, "empty file (no data rows)");
  void* address = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, descriptor.get(), 0);
  if (address == MAP_FAILED) fail(path, "cannot map: " + error_text(errno));
  // The mapping outlives the descriptor: POSIX keeps it valid after close().
  std::shared_ptr<const std::byte> bytes(static_cast<const std::byte*>(address), [size](const std::byte* start) {
    ::munmap(const_cast<std::byte*>(start), size);
  });
  return MappedFile{std::move(bytes), size};
}

std::string read_file(const std::string& path) {
  const OpenedFile opened = open_for_reading(path);
  const FileDescriptor& descriptor = opened.descriptor;
  std::string content;
  // Pipes and other special files report size 0 and are read until end of file.
  std::size_t capacity = S_ISREG(opened.status.st_mode) ? static_cast<std::size_t>(opened.status.st_size) : 0;
  capacity = std::max<std::size_t>(capacity, 1 << 16);
  std::size_t filled = 0;
  while (true) {
    // One byte more than the expected size, so that reaching end of file needs no second resize.
    if (content.size() < capacity + 1) content.resize(capacity + 1);
    const ssize_t count = ::read(descriptor.get(), content.data() + filled, content.size() - filled);
    if (count < 0) {
      if (errno == EINTR) continue;
      fail(path, "cannot read: " + error_text(errno));
    }
    if (count == 0) break;
    filled += static_cast<std::size_t>(count);
    if (filled == content.size()) capacity = 2 * content.size();
  }
  content.resize(filled);
  return content;
}

}  // namespace centrix::io::detail
