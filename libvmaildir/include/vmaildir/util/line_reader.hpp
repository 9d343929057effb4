// The lines of a byte stream, for the adapters' line protocols (Postfix's tcp_table, Dovecot's
// authentication protocol): bytes go in as they arrive, whole lines come out, and a line
// longer than the limit is refused however its bytes arrive (in one read or in many), so the
// limit does not depend on how TCP cut the stream.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vmaildir::util {

/// One connection's lines.  Each byte is looked at once for the LF, however the bytes are
/// split, and the buffer is compacted at most once per feed().  Not thread-safe.
class LineReader {
public:
    enum class Status { line, need_more, too_long };

    /// Lines of up to `max_line` bytes, without their LF.
    explicit LineReader(std::size_t max_line) : max_line_(max_line) {}

    /// Appends received bytes.
    void feed(std::string_view bytes);
    /// The next whole line, without its LF (a CR before it stays), into `line`; need_more when
    /// no line is whole yet; too_long when the next line is or will be longer than max_line
    /// (the connection must be closed: the rest of the stream is not read).
    Status next(std::string& line);
    /// Bytes received and not yet returned in a line (part of the next request).
    std::size_t buffered() const noexcept { return buffer_.size() - start_; }

private:
    std::string buffer_;
    std::size_t start_ = 0;   ///< where the next line begins in buffer_
    std::size_t scanned_ = 0; ///< bytes from start_ on known to hold no LF
    std::size_t max_line_;
};

} // namespace vmaildir::util
