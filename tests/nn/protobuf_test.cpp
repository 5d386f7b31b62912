#include "nn/protobuf.h"
#include "nn/onnx_model.h"

#include <gtest/gtest.h>

namespace armory::nn {
namespace {

TEST(WireReader, ReadsEachWireType) {
  // field 1 varint 300, field 2 bytes "hi", field 3 fixed32 1.0f, field 4 fixed64
  std::string buf = {0x08, char(0xac), 0x02, 0x12, 0x02, 'h', 'i', 0x1d, 0x00, 0x00, char(0x80), 0x3f,
                     0x21, 1, 0, 0, 0, 0, 0, 0, 0};
  WireReader r(buf);
  Field f;
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.number, 1u);
  EXPECT_EQ(f.scalar, 300u);
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.bytes, "hi");
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.type, WireType::fixed32);
  EXPECT_EQ(f.scalar, 0x3f800000u);
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.type, WireType::fixed64);
  EXPECT_EQ(f.scalar, 1u);
  EXPECT_FALSE(r.next(f));
  EXPECT_TRUE(r.error().empty());
}

TEST(WireReader, RejectsLengthsPastTheEnd) {
  std::string buf = {0x12, 0x7f, 'a'};
  WireReader r(buf);
  Field f;
  EXPECT_FALSE(r.next(f));
  EXPECT_NE(r.error().find("past the end"), std::string::npos) << r.error();
}

TEST(WireReader, RejectsTruncatedVarintsAndGroups) {
  for (std::string buf : {std::string{0x08, char(0x80)}, std::string{0x0b}, std::string{char(0x80)}}) {
    WireReader r(buf);
    Field f;
    EXPECT_FALSE(r.next(f));
    EXPECT_FALSE(r.error().empty());
  }
}

TEST(OnnxModel, ReportsWhatIsWrong) {
  auto empty = parse_model("", ".");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("no graph"), std::string::npos);
  auto garbage = parse_model("\xff\xff\xff", ".");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().code(), Errc::parse_error);
  auto missing = Session::load("/nonexistent/model.onnx");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Errc::not_found);
}

TEST(OnnxModel, DecodesATensorWithRawData) {
  // dims [2], data_type FLOAT, raw_data 2 floats, name "t"
  std::string raw = {0, 0, char(0x80), 0x3f, 0, 0, 0, 0x40};
  std::string buf = {0x08, 0x02, 0x10, 0x01, 0x42, 0x01, 't', 0x4a, 0x08};
  buf += raw;
  auto t = parse_tensor(buf, ".");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->name, "t");
  ASSERT_EQ(t->tensor.size(), 2);
  EXPECT_EQ(t->tensor.data_as<float>()[0], 1.0f);
  EXPECT_EQ(t->tensor.data_as<float>()[1], 2.0f);
  std::string short_raw = {0x08, 0x03, 0x10, 0x01, 0x4a, 0x04, 0, 0, 0, 0};
  auto bad = parse_tensor(short_raw, ".");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("needs 12 bytes"), std::string::npos) << bad.status().message();
  std::string dbl = {0x08, 0x01, 0x10, 0x0b};
  auto unsupported = parse_tensor(dbl, ".");
  ASSERT_FALSE(unsupported.ok());
  EXPECT_EQ(unsupported.status().code(), Errc::unsupported);
  EXPECT_NE(unsupported.status().message().find("DOUBLE"), std::string::npos);
}

}  // namespace
}  // namespace armory::nn
