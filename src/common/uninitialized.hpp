// A std::vector whose elements start uninitialised: for buffers that are
// filled in full right after they are allocated, where the zeroing a plain
// vector does would be one more pass over memory (the frame's held copy of
// 3000 x 200 rows: 8% of a one-iteration fit was that memset).
#pragma once

#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/buffer_cache.hpp"

namespace centrix::detail {

/// std::allocator, except that value-initialising construction (resize(n),
/// vector(n)) default-initialises: trivial types are left as they are; and
/// large buffers are kept between fits (buffer_cache.hpp).
template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() noexcept = default;
  template <class U>
  explicit DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    if (n > std::size_t(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(cached_allocate(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { cached_release(p, n * sizeof(T)); }

  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    std::allocator_traits<std::allocator<T>>::construct(static_cast<std::allocator<T>&>(*this), p,
                                                        std::forward<Args>(args)...);
  }
};

/// A vector of trivially constructible values that are not zeroed when it grows.
template <class T>
using UninitializedVector = std::vector<T, DefaultInitAllocator<T>>;

}  // namespace centrix::detail
