#include "nn/protobuf.h"

namespace armory::nn {

bool read_varint_at(std::string_view data, size_t& pos, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= data.size()) return false;
    uint8_t byte = static_cast<uint8_t>(data[pos++]);
    value |= uint64_t(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;  // more than 10 bytes: not a varint
}

bool WireReader::fail(const std::string& what) {
  error_ = what + " at byte " + std::to_string(pos_);
  return false;
}

bool WireReader::read_varint(uint64_t& value) { return read_varint_at(data_, pos_, value); }

bool WireReader::next(Field& field) {
  if (done()) return false;
  uint64_t key;
  if (!read_varint(key)) return fail("truncated field key");
  field.number = static_cast<uint32_t>(key >> 3);
  if (field.number == 0 || (key >> 3) > 0x1fffffff) return fail("invalid field number");
  field.bytes = {};
  field.scalar = 0;
  switch (key & 7) {
    case 0:
      field.type = WireType::varint;
      if (!read_varint(field.scalar)) return fail("truncated varint");
      return true;
    case 1:
    case 5: {
      size_t width = (key & 7) == 1 ? 8 : 4;
      field.type = width == 8 ? WireType::fixed64 : WireType::fixed32;
      if (data_.size() - pos_ < width) return fail("truncated fixed-width field");
      for (size_t i = 0; i < width; ++i) field.scalar |= uint64_t(uint8_t(data_[pos_ + i])) << (8 * i);
      pos_ += width;
      return true;
    }
    case 2: {
      field.type = WireType::length_delimited;
      uint64_t length;
      if (!read_varint(length)) return fail("truncated length");
      if (length > data_.size() - pos_) return fail("length " + std::to_string(length) + " runs past the end");
      field.bytes = data_.substr(pos_, length);
      pos_ += length;
      return true;
    }
    default:
      return fail("unsupported wire type " + std::to_string(key & 7));  // groups (3, 4) are not in ONNX
  }
}

}  // namespace armory::nn
