// Tests of the I/O module: text, NPY and fvecs readers, writers, and the
// exact one-line error messages users see.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "centrix/error.hpp"
#include "centrix/io.hpp"

namespace {

namespace fs = std::filesystem;
using centrix::io::Dataset;
using centrix::io::DType;
using centrix::io::Format;
using centrix::io::LoadOptions;

const fs::path franti_folder = fs::path(CENTRIX_SHARED_DATA) / "franti";

// Every test works in a fresh folder of its own, removed afterwards.
class IoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    folder_ = fs::temp_directory_path() /
              ("centrix_io_" + std::to_string(::getpid()) + "_" + info->test_suite_name() + "_" + info->name());
    fs::remove_all(folder_);
    fs::create_directories(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }

  [[nodiscard]] std::string path(const std::string& name) const { return (folder_ / name).string(); }

  // Writes `content` byte for byte to a file of the test folder and returns its path.
  std::string write(const std::string& name, std::string_view content) const {
    const std::string file = path(name);
    std::ofstream stream(file, std::ios::binary);
    stream.write(content.data(), static_cast<std::streamsize>(content.size()));
    return file;
  }

  [[nodiscard]] std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder_)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path folder_;
};

std::string read_bytes(const std::string& file) {
  std::ifstream stream(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

// The message of the IoError `action` throws (a test failure if it throws none).
template <class Action>
std::string io_error(Action&& action) {
  try {
    action();
  } catch (const centrix::IoError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no IoError thrown";
  return {};
}

std::vector<double> values_of(const Dataset& dataset) {
  std::vector<double> values;
  dataset.visit([&values](auto view) {
    for (std::size_t i = 0; i < view.rows(); ++i) {
      for (const auto value : view.row_span(i)) values.push_back(static_cast<double>(value));
    }
  });
  return values;
}

Dataset load_text(const std::string& file, LoadOptions options = {}) {
  return centrix::io::load_matrix(file, options);
}

// An NPY file: magic, version, header length and `dict` padded to `data_offset` bytes, then `data`.
std::string npy_file(const std::string& dict, std::string_view data, unsigned char major = 1,
                     std::size_t data_offset = 128) {
  const std::size_t length_size = major == 1 ? 2 : 4;
  const std::size_t header_start = 8 + length_size;
  std::string header = dict;
  header.append(data_offset - header_start - header.size() - 1, ' ');
  header += '\n';
  std::string file = "\x93NUMPY";
  file += static_cast<char>(major);
  file += '\0';
  for (std::size_t i = 0; i < length_size; ++i) file += static_cast<char>((header.size() >> (8 * i)) & 0xFF);
  return file + header + std::string(data);
}

template <class T>
std::string bytes_of(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

std::string npy_dict(const std::string& descr, const std::string& shape, bool fortran = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
}

// ---------------------------------------------------------------- text reader

TEST_F(IoTest, TextCommaSeparatedWithPaddedFields) {
  const Dataset data = load_text(write("a.csv", "1,2.5\n -3 ,\t4e2 \n"));
  EXPECT_EQ(data.rows(), 2u);
  EXPECT_EQ(data.cols(), 2u);
  EXPECT_EQ(data.dtype(), DType::Float64);
  EXPECT_FALSE(data.memory_mapped());
  EXPECT_EQ(values_of(data), (std::vector<double>{1, 2.5, -3, 400}));
}

TEST_F(IoTest, TextTabSeparated) {
  const Dataset data = load_text(write("a.tsv", "1\t2\n 3 \t 4\n"));
  EXPECT_EQ(values_of(data), (std::vector<double>{1, 2, 3, 4}));
}

TEST_F(IoTest, TextTabSeparatedToleratesTrailingWhitespace) {
  // As UEF's s3-cb.txt: a tab and spaces after the last field, CRLF line ends.
  const Dataset data = load_text(write("a.txt", "517585\t602360\t   \r\n532869\t295369\t   \r\n"));
  EXPECT_EQ(values_of(data), (std::vector<double>{517585, 602360, 532869, 295369}));
}

TEST_F(IoTest, TextWhitespaceSeparated) {
  const Dataset data = load_text(write("a.txt", "    664159    550946\n\t1  \t 2   \n5 6"));
  EXPECT_EQ(data.rows(), 3u);
  EXPECT_EQ(values_of(data), (std::vector<double>{664159, 550946, 1, 2, 5, 6}));
}

TEST_F(IoTest, TextHeaderLineIsSkipped) {
  const Dataset data = load_text(write("a.csv", "x, y\n1,2\n3,4\n"));
  EXPECT_EQ(data.rows(), 2u);
  EXPECT_EQ(values_of(data), (std::vector<double>{1, 2, 3, 4}));
}

TEST_F(IoTest, TextCommentsAndBlankLines) {
  const Dataset data = load_text(write("a.txt", "# points\n\n1 2 # first\n   \n#3 4\n5 6#last\n"));
  EXPECT_EQ(values_of(data), (std::vector<double>{1, 2, 5, 6}));
}

TEST_F(IoTest, TextCrlfAndByteOrderMark) {
  const Dataset data = load_text(write("a.csv", "\xEF\xBB\xBFx,y\r\n1,2\r\n3,4\r\n"));
  EXPECT_EQ(values_of(data), (std::vector<double>{1, 2, 3, 4}));
}

TEST_F(IoTest, TextNumberForms) {
  const Dataset data = load_text(write("a.txt", "+1.5 -2e3 7 .5 1e-400\n"));
  EXPECT_EQ(values_of(data), (std::vector<double>{1.5, -2000, 7, 0.5, 0}));
}

TEST_F(IoTest, TextAsFloat32) {
  LoadOptions options;
  options.dtype = DType::Float32;
  const Dataset data = load_text(write("a.csv", "0.1,2\n3,4\n"), options);
  ASSERT_EQ(data.dtype(), DType::Float32);
  EXPECT_EQ(data.view<float>()(0, 0), 0.1f);
  EXPECT_THROW((void)data.view<double>(), centrix::InvalidArgument);
}

TEST_F(IoTest, TextNonFiniteAllowedWhenAsked) {
  LoadOptions options;
  options.allow_non_finite = true;
  const Dataset data = load_text(write("a.txt", "nan -inf 1e400\n"), options);
  const auto view = data.view<double>();
  EXPECT_TRUE(std::isnan(view(0, 0)));
  EXPECT_EQ(view(0, 1), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(view(0, 2), std::numeric_limits<double>::infinity());
}

TEST_F(IoTest, TextNonNumericField) {
  const std::string file = write("data.csv", "1,2\n3,4\n1.0,abc\n");
  EXPECT_EQ(io_error([&] { load_text(file); }), file + ":3:5: non-numeric field 'abc'");
}

TEST_F(IoTest, TextMixedFirstLineIsAnErrorNotAHeader) {
  const std::string file = write("data.csv", "1, x\n");
  EXPECT_EQ(io_error([&] { load_text(file); }), file + ":1:4: non-numeric field 'x'");
}

TEST_F(IoTest, TextOnlyTheFirstLineMayBeAHeader) {
  const std::string file = write("data.csv", "x,y\na,b\n");
  EXPECT_EQ(io_error([&] { load_text(file); }), file + ":2:1: non-numeric field 'a'");
}

TEST_F(IoTest, TextColumnsIgnoreTheByteOrderMark) {
  const std::string file = write("data.csv",
                                 "\xEF\xBB\xBF"
                                 "1,abc\n");
  EXPECT_EQ(io_error([&] { load_text(file); }), file + ":1:3: non-numeric field 'abc'");
}

TEST_F(IoTest, TextRaggedRows) {
  const std::string longer = write("long.csv", "1,2\n3,4\n5,6\n7,8,9\n");
  EXPECT_EQ(io_error([&] { load_text(longer); }), longer + ":4:1: ragged row: 3 fields, expected 2 (from line 1)");
  const std::string shorter = write("short.txt", "# header comment\nx y\n1 2\n3\n");
  EXPECT_EQ(io_error([&] { load_text(shorter); }), shorter + ":4:1: ragged row: 1 fields, expected 2 (from line 3)");
}

TEST_F(IoTest, TextNonFiniteValues) {
  for (const std::string value : {"nan", "NaN", "inf", "-inf", "+Infinity", "1e400", "-1e999"}) {
    const std::string file = write("data.csv", "1,2\n3," + value + "\n");
    EXPECT_EQ(io_error([&] { load_text(file); }), file + ":2:3: NaN or Inf value '" + value + "'");
  }
}

TEST_F(IoTest, TextOutOfFloat32Range) {
  LoadOptions options;
  options.dtype = DType::Float32;
  const std::string file = write("data.txt", "1 2\n3e38 -1e39\n");
  EXPECT_EQ(io_error([&] { load_text(file, options); }), file + ":2:6: value '-1e39' is out of float32 range");
}

TEST_F(IoTest, TextEmptyFields) {
  const std::string middle = write("middle.csv", "1,,2\n");
  EXPECT_EQ(io_error([&] { load_text(middle); }), middle + ":1:3: empty field");
  const std::string trailing = write("trailing.csv", "1,2\n3,4,\n");
  EXPECT_EQ(io_error([&] { load_text(trailing); }), trailing + ":2:5: empty field");
  const std::string tab = write("tab.tsv", "1\t \t2\n");
  EXPECT_EQ(io_error([&] { load_text(tab); }), tab + ":1:4: empty field");
}

TEST_F(IoTest, TextErrorMessagesStayOnOneLine) {
  const std::string file = write("data.txt", std::string("1 2\n3 a\x01\x7f") + std::string(100, 'z') + "\n");
  const std::string message = io_error([&] { load_text(file); });
  EXPECT_EQ(message, file + ":2:3: non-numeric field 'a??" + std::string(37, 'z') + "...'");
}

TEST_F(IoTest, FileLevelErrors) {
  const std::string missing = path("missing.txt");
  EXPECT_EQ(io_error([&] { load_text(missing); }), missing + ": cannot open: No such file or directory");
  const std::string folder = path("folder.txt");
  fs::create_directory(folder);
  EXPECT_EQ(io_error([&] { load_text(folder); }), folder + ": is a directory");
  for (const std::string content : {"", "\n\n", "# only a comment\n", "x,y\n", "\xEF\xBB\xBF"}) {
    const std::string empty = write("empty.csv", content);
    EXPECT_EQ(io_error([&] { load_text(empty); }), empty + ": empty file (no data rows)");
  }
  const std::string empty_npy = write("empty.npy", "");
  EXPECT_EQ(io_error([&] { load_text(empty_npy); }), empty_npy + ": empty file (no data rows)");
}

// ---------------------------------------------------------------- UEF benchmark files

class IoUefFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::is_directory(franti_folder)) GTEST_SKIP() << "no UEF data at " << franti_folder;
  }
  static std::string file(const std::string& name) { return (franti_folder / name).string(); }
};

TEST_F(IoUefFiles, S1) {
  const Dataset data = centrix::io::load_matrix(file("s1.txt"));
  ASSERT_EQ(data.rows(), 5000u);
  ASSERT_EQ(data.cols(), 2u);
  EXPECT_EQ(data.view<double>()(0, 0), 664159);
  EXPECT_EQ(data.view<double>()(0, 1), 550946);
}

TEST_F(IoUefFiles, Dim032) {
  const Dataset data = centrix::io::load_matrix(file("dim032.txt"));
  ASSERT_EQ(data.rows(), 1024u);
  ASSERT_EQ(data.cols(), 32u);
  EXPECT_EQ(data.view<double>()(0, 0), 84);
  EXPECT_EQ(data.view<double>()(0, 1), 152);
}

TEST_F(IoUefFiles, Birch1) {
  const Dataset data = centrix::io::load_matrix(file("birch1.txt"));
  EXPECT_EQ(data.rows(), 100000u);
  EXPECT_EQ(data.cols(), 2u);
}

TEST_F(IoUefFiles, EveryDataFileLoads) {
  for (const auto& entry : fs::directory_iterator(franti_folder)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".txt" || name == "PROVENANCE.txt") continue;
    SCOPED_TRACE(name);
    EXPECT_NO_THROW((void)centrix::io::load_matrix(entry.path().string()));
  }
}

TEST_F(IoUefFiles, Labels) {
  const std::vector<std::int64_t> s1 = centrix::io::load_labels(file("s1-label.pa"));
  ASSERT_EQ(s1.size(), 5000u);
  EXPECT_EQ(*std::min_element(s1.begin(), s1.end()), 1);
  EXPECT_EQ(*std::max_element(s1.begin(), s1.end()), 15);
  EXPECT_EQ(centrix::io::load_labels(file("birch1_labels.txt")).size(), 100000u);
}

// ---------------------------------------------------------------- NPY

TEST_F(IoTest, NpyRoundTripFloat32) {
  const std::vector<float> values{1.5f, -2, 0.1f, 4, 5, 6};
  const std::string file = path("m.npy");
  centrix::io::write_file_atomic(file, centrix::io::encode_matrix(centrix::MatrixView<float>(values.data(), 3, 2),
                                                                  centrix::io::format_from_path(file)));
  const Dataset mapped = centrix::io::load_matrix(file);
  EXPECT_EQ(mapped.dtype(), DType::Float32);
  EXPECT_TRUE(mapped.memory_mapped());
  EXPECT_EQ(mapped.rows(), 3u);
  EXPECT_EQ(mapped.cols(), 2u);
  EXPECT_EQ(values_of(mapped), (std::vector<double>(values.begin(), values.end())));

  LoadOptions as_double;
  as_double.dtype = DType::Float64;
  const Dataset converted = centrix::io::load_matrix(file, as_double);
  EXPECT_EQ(converted.dtype(), DType::Float64);
  EXPECT_FALSE(converted.memory_mapped());
  EXPECT_EQ(values_of(converted), (std::vector<double>(values.begin(), values.end())));
}

TEST_F(IoTest, NpyRoundTripFloat64) {
  const std::vector<double> values{0.1, -1e300, 3, 4, 5, 6.25};
  const std::string file = path("m.npy");
  centrix::io::write_file_atomic(
      file, centrix::io::encode_matrix(centrix::MatrixView<double>(values.data(), 2, 3), Format::Npy));
  const std::string bytes = read_bytes(file);
  EXPECT_EQ(bytes.size(), 128u + values.size() * sizeof(double));  // data starts 64-byte aligned
  const Dataset mapped = centrix::io::load_matrix(file);
  EXPECT_EQ(mapped.dtype(), DType::Float64);
  EXPECT_TRUE(mapped.memory_mapped());
  EXPECT_EQ(mapped.rows(), 2u);
  EXPECT_EQ(values_of(mapped), values);

  // The data outlives the Dataset it was loaded through, as long as a copy lives.
  const Dataset copy = Dataset(mapped);
  EXPECT_EQ(copy.view<double>()(1, 2), 6.25);

  LoadOptions as_float;
  as_float.dtype = DType::Float32;
  const std::string small = path("small.npy");
  centrix::io::write_file_atomic(
      small, centrix::io::encode_matrix(centrix::MatrixView<double>(values.data() + 2, 2, 2), Format::Npy));
  const Dataset converted = centrix::io::load_matrix(small, as_float);
  EXPECT_EQ(converted.dtype(), DType::Float32);
  EXPECT_FALSE(converted.memory_mapped());
  EXPECT_EQ(values_of(converted), (std::vector<double>{3, 4, 5, 6.25}));
  EXPECT_EQ(io_error([&] { centrix::io::load_matrix(file, as_float); }),
            file + ": row 1, column 2: value is out of float32 range");
}

TEST_F(IoTest, NpyOfAStridedView) {
  const std::vector<double> values{1, 2, 99, 3, 4, 99};
  const std::string file = path("m.npy");
  centrix::io::write_file_atomic(
      file, centrix::io::encode_matrix(centrix::MatrixView<double>(values.data(), 2, 2, 3), Format::Npy));
  EXPECT_EQ(values_of(centrix::io::load_matrix(file)), (std::vector<double>{1, 2, 3, 4}));
}

TEST_F(IoTest, NpyIntegersBecomeFloat64) {
  const std::vector<std::int64_t> values{-3, 0, 5, std::int64_t{1} << 40};
  const std::string file = write("i.npy", npy_file(npy_dict("<i8", "(2, 2)"), bytes_of(values)));
  const Dataset data = centrix::io::load_matrix(file);
  EXPECT_EQ(data.dtype(), DType::Float64);
  EXPECT_FALSE(data.memory_mapped());
  EXPECT_EQ(values_of(data), (std::vector<double>{-3, 0, 5, 1099511627776.0}));
}

TEST_F(IoTest, NpyOneDimensionalSmallIntegersVersion2) {
  const std::vector<std::uint8_t> values{7, 255, 0};
  const std::string file =
      write("u.npy", npy_file("{'shape': (3,), 'fortran_order': False, 'descr': '|u1'}", bytes_of(values), 2));
  const Dataset data = centrix::io::load_matrix(file);
  EXPECT_EQ(data.rows(), 3u);
  EXPECT_EQ(data.cols(), 1u);
  EXPECT_EQ(values_of(data), (std::vector<double>{7, 255, 0}));
}

TEST_F(IoTest, NpyMisalignedDataIsCopied) {
  const std::vector<double> values{1.25, -2.5};
  // Data at offset 132: not a multiple of alignof(double).
  const std::string file = write("odd.npy", npy_file(npy_dict("<f8", "(2,)"), bytes_of(values), 1, 132));
  const Dataset data = centrix::io::load_matrix(file);
  EXPECT_FALSE(data.memory_mapped());
  EXPECT_EQ(values_of(data), values);
}

TEST_F(IoTest, NpyErrors) {
  const std::string data = bytes_of(std::vector<double>{1, 2, 3, 4, 5, 6});
  const std::string fortran = write("f.npy", npy_file(npy_dict("<f8", "(3, 2)", true), data));
  EXPECT_EQ(io_error([&] { centrix::io::load_matrix(fortran); }),
            fortran + ": unsupported NPY order: Fortran (column-major); save it in C order");
  for (const std::string descr : {">f8", "<c16", "|b1", "O", "<U3", "<f2"}) {
    const std::string file = write("d.npy", npy_file(npy_dict(descr, "(3, 2)"), data));
    EXPECT_EQ(io_error([&] { centrix::io::load_matrix(file); }),
              file + ": unsupported NPY dtype '" + descr + "' (supported: float32, float64, integers)");
  }
  const std::string truncated = write("t.npy", npy_file(npy_dict("<f8", "(3, 2)"), data.substr(0, 40)));
  EXPECT_EQ(io_error([&] { centrix::io::load_matrix(truncated); }),
            truncated + ": truncated NPY file: expected 48 bytes of data, found 40");
  const std::string magic = write("m.npy", "PK\x03\x04 not numpy at all");
  EXPECT_EQ(io_error([&] { centrix::io::load_matrix(magic); }), magic + ": not an NPY file (bad magic)");
  const std::string cube = write("c.npy", npy_file(npy_dict("<f8", "(1, 3, 2)"), data));
  EXPECT_EQ(io_error([&] { centrix::io::load_matrix(cube); }),
            cube + ": unsupported NPY shape (1, 3, 2) (expected 1 or 2 dimensions)");
  const std::string no_rows = write("z.npy", npy_file(npy_dict("<f8", "(0, 2)"), ""));
  EXPECT_EQ(io_error([&] { centrix::io::load_matrix(no_rows); }), no_rows + ": empty file (no data rows)");
  const std::string malformed = write("h.npy", npy_file("{'descr': '<f8', 'shape': (3, 2), }", data));
  EXPECT_EQ(io_error([&] { centrix::io::load_matrix(malformed); }),
            malformed + ": malformed NPY header: no 'fortran_order'");
}

TEST_F(IoTest, NpyNonFiniteValues) {
  const std::vector<double> values{1, 2, std::numeric_limits<double>::quiet_NaN(), 4};
  const std::string file = write("n.npy", npy_file(npy_dict("<f8", "(2, 2)"), bytes_of(values)));
  EXPECT_EQ(io_error([&] { centrix::io::load_matrix(file); }), file + ": row 2, column 1: NaN or Inf value");
  LoadOptions as_float;
  as_float.dtype = DType::Float32;
  EXPECT_EQ(io_error([&] { centrix::io::load_matrix(file, as_float); }), file + ": row 2, column 1: NaN or Inf value");
  LoadOptions allow;
  allow.allow_non_finite = true;
  EXPECT_TRUE(std::isnan(centrix::io::load_matrix(file, allow).view<double>()(1, 0)));
}

// ---------------------------------------------------------------- fvecs / ivecs

TEST_F(IoTest, FvecsRoundTrip) {
  const std::vector<float> values{1, 2, 3, 4.5f, 5, 6};
  const std::string file = path("m.fvecs");
  centrix::io::write_file_atomic(file, centrix::io::encode_matrix(centrix::MatrixView<float>(values.data(), 2, 3),
                                                                  centrix::io::format_from_path(file)));
  EXPECT_EQ(read_bytes(file).size(), 2u * 4 * (3 + 1));
  const Dataset data = centrix::io::load_matrix(file);
  EXPECT_EQ(data.dtype(), DType::Float32);
  EXPECT_FALSE(data.memory_mapped());
  EXPECT_EQ(data.rows(), 2u);
  EXPECT_EQ(data.cols(), 3u);
  EXPECT_EQ(values_of(data), (std::vector<double>{1, 2, 3, 4.5, 5, 6}));
}

TEST_F(IoTest, IvecsAsMatrixAndLabels) {
  const std::vector<std::int32_t> labels{3, -1, 7};
  const std::string file = path("l.ivecs");
  centrix::io::write_file_atomic(file, centrix::io::encode_labels(labels, centrix::io::format_from_path(file)));
  EXPECT_EQ(centrix::io::load_labels(file), (std::vector<std::int64_t>{3, -1, 7}));
  const Dataset data = centrix::io::load_matrix(file);
  EXPECT_EQ(data.dtype(), DType::Float64);
  EXPECT_EQ(values_of(data), (std::vector<double>{3, -1, 7}));
}

TEST_F(IoTest, FvecsErrors) {
  const std::vector<float> values{1, 2, 3, 4, 5, 6};
  const std::string content =
      centrix::io::encode_matrix(centrix::MatrixView<float>(values.data(), 3, 2), Format::Fvecs);
  const std::string truncated = write("t.fvecs", content.substr(0, content.size() - 4));
  EXPECT_EQ(io_error([&] { centrix::io::load_matrix(truncated); }),
            truncated + ": truncated file: row 3 needs 12 bytes, found 8");
  std::string other_dimension = content;
  const std::int32_t three = 3;
  std::memcpy(other_dimension.data() + 12, &three, sizeof(three));
  const std::string mismatch = write("d.fvecs", other_dimension);
  EXPECT_EQ(io_error([&] { centrix::io::load_matrix(mismatch); }),
            mismatch + ": row 2: dimension 3, expected 2 (from row 1)");
  const std::string wide = write("w.ivecs", content);
  EXPECT_EQ(io_error([&] { centrix::io::load_labels(wide); }), wide + ": expected one label per row, found 2 columns");
}

// ---------------------------------------------------------------- load_vector / load_labels

TEST_F(IoTest, LoadVectorFromText) {
  EXPECT_EQ(centrix::io::load_vector(write("w.txt", "weight\n1\n2.5\n# note\n0\n")), (std::vector<double>{1, 2.5, 0}));
  const std::string wide = write("wide.txt", "1 2\n3 4\n");
  EXPECT_EQ(io_error([&] { centrix::io::load_vector(wide); }), wide + ": expected one value per line, found 2 columns");
  const std::string nan = write("nan.txt", "1\nnan\n");
  EXPECT_EQ(io_error([&] { centrix::io::load_vector(nan); }), nan + ":2:1: NaN or Inf value 'nan'");
}

TEST_F(IoTest, LoadVectorFromNpy) {
  const std::string data = bytes_of(std::vector<float>{1, 2, 3});
  EXPECT_EQ(centrix::io::load_vector(write("a.npy", npy_file(npy_dict("<f4", "(3,)"), data))),
            (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(centrix::io::load_vector(write("b.npy", npy_file(npy_dict("<f4", "(3, 1)"), data))),
            (std::vector<double>{1, 2, 3}));
  const std::string row = write("c.npy", npy_file(npy_dict("<f4", "(1, 3)"), data));
  EXPECT_EQ(io_error([&] { centrix::io::load_vector(row); }), row + ": expected one value per line, found 3 columns");
  // The format given wins over the extension.
  EXPECT_EQ(centrix::io::load_vector(write("d.bin", npy_file(npy_dict("<f4", "(3,)"), data)), Format::Npy),
            (std::vector<double>{1, 2, 3}));
}

TEST_F(IoTest, LoadLabelsFromText) {
  EXPECT_EQ(centrix::io::load_labels(write("l.txt", "label\n0\n+2\n-1\n3.0\n")),
            (std::vector<std::int64_t>{0, 2, -1, 3}));
  const std::string fraction = write("f.txt", "1\n1.5\n");
  EXPECT_EQ(io_error([&] { centrix::io::load_labels(fraction); }), fraction + ":2:1: not an integer '1.5'");
  const std::string word = write("w.txt", "1\n two\n");
  EXPECT_EQ(io_error([&] { centrix::io::load_labels(word); }), word + ":2:2: non-numeric field 'two'");
  const std::string wide = write("wide.txt", "1 2\n");
  EXPECT_EQ(io_error([&] { centrix::io::load_labels(wide); }), wide + ": expected one label per line, found 2 columns");
}

TEST_F(IoTest, LoadLabelsFromNpy) {
  EXPECT_EQ(centrix::io::load_labels(
                write("i.npy", npy_file(npy_dict("<i4", "(3,)"), bytes_of(std::vector<std::int32_t>{4, -2, 0})))),
            (std::vector<std::int64_t>{4, -2, 0}));
  EXPECT_EQ(centrix::io::load_labels(
                write("f.npy", npy_file(npy_dict("<f8", "(2, 1)"), bytes_of(std::vector<double>{1, 7})))),
            (std::vector<std::int64_t>{1, 7}));
  const std::string fraction = write("g.npy", npy_file(npy_dict("<f8", "(2,)"), bytes_of(std::vector<double>{1, 1.5})));
  EXPECT_EQ(io_error([&] { centrix::io::load_labels(fraction); }), fraction + ": row 2: label 1.5 is not an integer");
  const std::string huge =
      write("u.npy", npy_file(npy_dict("<u8", "(1,)"), bytes_of(std::vector<std::uint64_t>{std::uint64_t{1} << 63})));
  EXPECT_EQ(io_error([&] { centrix::io::load_labels(huge); }),
            huge + ": row 1: label 9223372036854775808 is out of range");
}

// ---------------------------------------------------------------- writers

TEST_F(IoTest, EncodeLabels) {
  const std::vector<std::int32_t> labels{0, 5, -1};
  EXPECT_EQ(centrix::io::encode_labels(labels, Format::Text), "0\n5\n-1\n");
  const std::string npy = centrix::io::encode_labels(labels, Format::Npy);
  ASSERT_EQ(npy.size(), 128u + 12u);  // as numpy writes it: data 64-byte aligned
  EXPECT_EQ(npy.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_NE(npy.find("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }"), std::string::npos);
  EXPECT_EQ(npy[127], '\n');
  EXPECT_EQ(centrix::io::load_labels(write("l.npy", npy)), (std::vector<std::int64_t>{0, 5, -1}));
}

TEST_F(IoTest, EncodeMatrixAsText) {
  const std::vector<double> values{0.1, 1e20, -0.5, 3, 1.0 / 3, 5e-324};
  const centrix::MatrixView<double> matrix(values.data(), 2, 3);
  EXPECT_EQ(centrix::io::encode_matrix(matrix, Format::Text, ','), "0.1,1e+20,-0.5\n3,0.3333333333333333,5e-324\n");
  const std::vector<float> singles{0.1f, 2};
  EXPECT_EQ(centrix::io::encode_matrix(centrix::MatrixView<float>(singles.data(), 1, 2), Format::Text, '\t'),
            "0.1\t2\n");
  // The shortest form reads back bit for bit.
  const std::string file = path("m.tsv");
  centrix::io::write_file_atomic(
      file, centrix::io::encode_matrix(matrix, Format::Text, centrix::io::delimiter_for_path(file)));
  EXPECT_EQ(values_of(centrix::io::load_matrix(file)), values);
}

TEST_F(IoTest, WriteFileAtomicReplacesContent) {
  const std::string file = write("out.txt", "old content that is longer");
  centrix::io::write_file_atomic(file, "new");
  EXPECT_EQ(read_bytes(file), "new");
  EXPECT_EQ(entries(), (std::vector<std::string>{"out.txt"}));
}

TEST_F(IoTest, WriteFileAtomicFailures) {
  const std::string missing_folder = path("no/such/out.txt");
  EXPECT_EQ(io_error([&] { centrix::io::write_file_atomic(missing_folder, "x"); }),
            missing_folder + ": cannot write: No such file or directory");
  const std::string folder = path("folder");
  fs::create_directory(folder);
  fs::create_directory(folder + "/inside");
  const std::string message = io_error([&] { centrix::io::write_file_atomic(folder, "x"); });
  EXPECT_EQ(message.rfind(folder + ": cannot write: ", 0), 0u) << message;
  EXPECT_EQ(entries(), (std::vector<std::string>{"folder"}));
}

TEST_F(IoTest, OutputBatchCommitsAll) {
  const std::string first = write("a.txt", "old a");
  const std::string second = path("b.txt");
  {
    centrix::io::OutputBatch batch;
    batch.add(first, "new a");
    batch.add(second, "new b");
    EXPECT_EQ(read_bytes(first), "old a");
    EXPECT_FALSE(fs::exists(second));
    batch.commit();
  }
  EXPECT_EQ(read_bytes(first), "new a");
  EXPECT_EQ(read_bytes(second), "new b");
  EXPECT_EQ(entries(), (std::vector<std::string>{"a.txt", "b.txt"}));
}

TEST_F(IoTest, OutputBatchWithoutCommitChangesNothing) {
  const std::string first = write("a.txt", "old a");
  {
    centrix::io::OutputBatch batch;
    batch.add(first, "new a");
    batch.add(path("b.txt"), "new b");
  }
  EXPECT_EQ(read_bytes(first), "old a");
  EXPECT_EQ(entries(), (std::vector<std::string>{"a.txt"}));
  {
    centrix::io::OutputBatch batch;
    batch.add(first, "new a");
    EXPECT_THROW(batch.add(path("missing/b.txt"), "new b"), centrix::IoError);
  }
  EXPECT_EQ(read_bytes(first), "old a");
  EXPECT_EQ(entries(), (std::vector<std::string>{"a.txt"}));
}

TEST_F(IoTest, EnsureDistinctFiles) {
  const std::string input = write("in.txt", "1 2\n");
  EXPECT_EQ(io_error([&] { centrix::io::ensure_distinct_files(input, input); }),
            input + ": refusing to overwrite the input file");
  const std::string other_spelling = (folder_ / "." / "in.txt").string();
  EXPECT_THROW(centrix::io::ensure_distinct_files(input, other_spelling), centrix::IoError);
  const std::string link = path("link.txt");
  fs::create_symlink(input, link);
  EXPECT_THROW(centrix::io::ensure_distinct_files(input, link), centrix::IoError);
  EXPECT_NO_THROW(centrix::io::ensure_distinct_files(input, path("out.txt")));
  EXPECT_NO_THROW(centrix::io::ensure_distinct_files(input, write("other.txt", "1 2\n")));
}

// ---------------------------------------------------------------- names

TEST(IoNames, FormatsDelimitersAndDtypes) {
  using centrix::io::delimiter_for_path;
  using centrix::io::format_from_path;
  EXPECT_EQ(format_from_path("a/b.NPY"), Format::Npy);
  EXPECT_EQ(format_from_path("b.fvecs"), Format::Fvecs);
  EXPECT_EQ(format_from_path("b.ivecs"), Format::Fvecs);
  EXPECT_EQ(format_from_path("b.csv"), Format::Text);
  EXPECT_EQ(format_from_path("npy"), Format::Text);
  EXPECT_EQ(delimiter_for_path("x.CSV"), ',');
  EXPECT_EQ(delimiter_for_path("x.tsv"), '\t');
  EXPECT_EQ(delimiter_for_path("x.txt"), ' ');

  EXPECT_EQ(centrix::io::parse_format("auto"), Format::Auto);
  EXPECT_EQ(centrix::io::parse_format("csv"), Format::Text);
  EXPECT_EQ(centrix::io::parse_format("tsv"), Format::Text);
  EXPECT_EQ(centrix::io::parse_format("text"), Format::Text);
  EXPECT_EQ(centrix::io::parse_format("npy"), Format::Npy);
  EXPECT_EQ(centrix::io::parse_format("ivecs"), Format::Fvecs);
  EXPECT_THROW(centrix::io::parse_format("parquet"), centrix::InvalidArgument);

  EXPECT_EQ(centrix::io::parse_dtype("float32"), DType::Float32);
  EXPECT_EQ(centrix::io::parse_dtype("f4"), DType::Float32);
  EXPECT_EQ(centrix::io::parse_dtype("float"), DType::Float32);
  EXPECT_EQ(centrix::io::parse_dtype("float64"), DType::Float64);
  EXPECT_EQ(centrix::io::parse_dtype("double"), DType::Float64);
  EXPECT_THROW(centrix::io::parse_dtype("int8"), centrix::InvalidArgument);
  EXPECT_STREQ(centrix::io::to_string(DType::Float32), "float32");
  EXPECT_STREQ(centrix::io::to_string(DType::Float64), "float64");
}

}  // namespace
