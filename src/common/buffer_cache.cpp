#include "common/buffer_cache.hpp"

#include <mutex>
#include <new>
#include <vector>

namespace centrix::detail {
namespace {

constexpr std::align_val_t kAlignment{64};

struct Kept {
  void* buffer;
  std::size_t bytes;
};

struct Cache {
  std::mutex mutex;
  std::vector<Kept> kept;  // oldest first
  std::size_t total = 0;
};

Cache& cache() {
  // Never destroyed: buffers released by static objects at exit must still find it.
  static Cache* const instance = new Cache;
  return *instance;
}

}  // namespace

void* cached_allocate(std::size_t bytes) {
  if (bytes >= kCachedFromBytes) {
    Cache& c = cache();
    const std::lock_guard<std::mutex> lock(c.mutex);
    for (std::size_t i = c.kept.size(); i-- > 0;) {
      if (c.kept[i].bytes == bytes) {
        void* buffer = c.kept[i].buffer;
        c.kept.erase(c.kept.begin() + static_cast<std::ptrdiff_t>(i));
        c.total -= bytes;
        return buffer;
      }
    }
  }
  return ::operator new(bytes, kAlignment);
}

void cached_release(void* buffer, std::size_t bytes) noexcept {
  if (buffer == nullptr) return;
  if (bytes >= kCachedFromBytes && bytes <= kCachedBytes) {
    Cache& c = cache();
    {
      const std::lock_guard<std::mutex> lock(c.mutex);
      try {
        c.kept.push_back({buffer, bytes});
        c.total += bytes;
        buffer = nullptr;
      } catch (...) {  // no room to note it: free it below
      }
      std::size_t evict = 0;
      while (c.total > kCachedBytes) {
        c.total -= c.kept[evict].bytes;
        ++evict;
      }
      for (std::size_t i = 0; i < evict; ++i) ::operator delete(c.kept[i].buffer, kAlignment);
      c.kept.erase(c.kept.begin(), c.kept.begin() + static_cast<std::ptrdiff_t>(evict));
    }
  }
  if (buffer != nullptr) ::operator delete(buffer, kAlignment);
}

std::size_t cached_bytes_kept() noexcept {
  Cache& c = cache();
  const std::lock_guard<std::mutex> lock(c.mutex);
  return c.total;
}

}  // namespace centrix::detail
