// util::LineReader (vmaildir/util/line_reader.hpp).
#include "vmaildir/util/line_reader.hpp"

namespace vmaildir::util {

void LineReader::feed(std::string_view bytes) {
    if (start_ > 0 && start_ == buffer_.size()) {
        buffer_.clear(); // every line taken: start again at the front
        start_ = 0;
    } else if (start_ > 0 && bytes.size() > buffer_.capacity() - buffer_.size()) {
        buffer_.erase(0, start_); // the partial line moves to the front once, not per line
        start_ = 0;
    }
    buffer_.append(bytes);
}

LineReader::Status LineReader::next(std::string& line) {
    const std::string_view rest = std::string_view(buffer_).substr(start_);
    const std::size_t nl = rest.find('\n', scanned_);
    if (nl == std::string_view::npos) {
        scanned_ = rest.size();
        return rest.size() > max_line_ ? Status::too_long : Status::need_more;
    }
    if (nl > max_line_)
        return Status::too_long;
    line.assign(rest.substr(0, nl));
    start_ += nl + 1;
    scanned_ = 0;
    return Status::line;
}

} // namespace vmaildir::util
