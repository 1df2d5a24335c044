/* An empty ICU data library: a common-data header ("CmnD", format 1) with no entries. */
#include <stdint.h>
struct empty_common_data {
    uint16_t header_size;
    uint8_t magic[2];
    uint16_t info_size, reserved_word;
    uint8_t big_endian, charset_family, uchar_size, reserved_byte;
    uint8_t data_format[4], format_version[4], data_version[4];
    uint32_t padding[2];
    uint32_t entry_count;
};
#define STUB_SYMBOL2(v) icudt##v##_dat
#define STUB_SYMBOL(v) STUB_SYMBOL2(v)
__attribute__((visibility("default"), aligned(16)))
const struct empty_common_data STUB_SYMBOL(ICU_VERSION) = {
    32, {0xda, 0x27}, 20, 0, 0, 0, 2, 0,
    {'C', 'm', 'n', 'D'}, {1, 0, 0, 0}, {0, 0, 0, 0}, {0, 0}, 0,
};
