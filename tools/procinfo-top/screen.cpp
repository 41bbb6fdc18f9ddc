// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "screen.hpp"

#include "../common/terminal.hpp"

#include <langinfo.h>
#include <signal.h>
#include <string.h>

#define NCURSES_WIDECHAR 1
#include <curses.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <charconv>
#include <cctype>
#include <climits>
#include <clocale>
#include <csignal>
#include <cwchar>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace top {

const std::string_view help_text =
    "procinfo-top keys\n"
    "\n"
    "  P  sort by %CPU              M  sort by memory (RSS)\n"
    "  N  sort by pid               T  sort by CPU time (TIME+)\n"
    "  <  sort by the column left   >  sort by the column right\n"
    "  R  reverse the order\n"
    "  c  command lines / names     C  container processes only\n"
    "  g  one row per container     Enter  expand or fold a container row\n"
    "  /  filter by name or command line (extended regex; empty: none)\n"
    "  k  send a signal to the selected process (asks, then confirms)\n"
    "  Up Down PgUp PgDn Home End   move the selection\n"
    "  Space  refresh now           Ctrl-L  redraw\n"
    "  h ?  this help               q  quit\n"
    "\n"
    "Any key returns to the view.";

namespace {

volatile std::sig_atomic_t stop_signal = 0;

extern "C" void on_stop_signal(int sig) { stop_signal = sig; }

// Catches SIGINT, SIGTERM and SIGHUP to leave the view in order: the loop
// below sees the flag within a quarter of a second. Installed before
// ncurses starts, which then keeps its hands off them.
void catch_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  for (const int sig : {SIGINT, SIGTERM, SIGHUP})
    if (::sigaction(sig, &sa, nullptr) != 0)
      throw std::system_error(errno, std::generic_category(), "cannot catch SIGINT and SIGTERM");
}

constexpr int poll_ms = 250;
constexpr int header_rows = 3;
constexpr int message_row = 3;
constexpr int titles_row = 4;
constexpr int first_row = 5;
constexpr wint_t ctrl_l = 12;
constexpr wint_t escape = 27;

// Whether the locale's characters are UTF-8, the text of every name and
// command line; set when the view starts.
bool utf8_locale = false;

// The terminal in curses mode for its lifetime: endwin() on every way out.
class Curses {
 public:
  Curses() {
    std::setlocale(LC_ALL, "");
    const std::string_view codeset = ::nl_langinfo(CODESET);
    utf8_locale = codeset == "UTF-8" || codeset == "utf8";
    screen_ = newterm(nullptr, stdout, stdin);
    if (screen_ == nullptr)
      throw std::runtime_error("cannot start the terminal view (is TERM set to a known terminal?)");
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
  }
  ~Curses() {
    endwin();
    delscreen(screen_);
  }
  Curses(const Curses&) = delete;
  Curses& operator=(const Curses&) = delete;

 private:
  SCREEN* screen_ = nullptr;
};

std::string utf8(wchar_t c) {
  std::mbstate_t state{};
  char buf[MB_LEN_MAX];
  const std::size_t n = std::wcrtomb(buf, c, &state);
  return n == static_cast<std::size_t>(-1) ? std::string() : std::string(buf, n);
}

// text with each character that is not ASCII as '?': what a terminal in
// another character set can show.
std::string ascii(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      out += text[i++];
      continue;
    }
    std::uint32_t cp = 0;
    i += tools::detail::decode(text, i, cp);
    if (tools::code_point_width(cp) > 0) out += '?';
  }
  return out;
}

// Writes text at (y, 0) cut to the screen's width, padded with blanks to
// it when fill.
void put_line(int y, std::string_view text, int width, bool fill = false) {
  const auto w = static_cast<std::size_t>(std::max(width, 0));
  std::string line = utf8_locale ? std::string(tools::cut_to_width(text, w))
                                 : ascii(tools::cut_to_width(text, w));
  if (fill) line.append(w - tools::display_width(line), ' ');
  mvaddstr(y, 0, line.c_str());
}

// Which row is selected, kept across refreshes by what it shows.
struct Selection {
  bool is_group = false;
  std::uint32_t pid = 0;
  std::string group_key;

  bool matches(const Row& r) const {
    return r.is_group == is_group && (is_group ? r.group_key == group_key : r.pid == pid);
  }
};

class View {
 public:
  View(Sampler& sampler, Settings& settings) : sampler_(sampler), settings_(settings) {}

  int run();

 private:
  void rebuild();
  void draw();
  void help();
  void move_selection(long by);
  void select(std::size_t index);
  bool handle(wint_t key, bool function_key);
  void filter();
  void send_signal();
  // Asks for a line at the message row; nullopt when cancelled (Escape, a
  // stop signal).
  std::optional<std::string> prompt(std::string_view label, std::string text);
  // Waits for one key up to ms milliseconds (-1: until one comes or a stop
  // signal); nullopt when none came.
  std::optional<std::pair<wint_t, bool>> key(int ms);

  Sampler& sampler_;
  Settings& settings_;
  std::vector<Row> rows_;
  std::size_t selected_ = 0;
  std::size_t top_ = 0;
  Selection selection_;
  std::string message_;
  std::chrono::steady_clock::duration compute_{};
};

std::optional<std::pair<wint_t, bool>> View::key(int ms) {
  using Clock = std::chrono::steady_clock;
  const auto until = Clock::now() + std::chrono::milliseconds(ms);
  while (stop_signal == 0) {
    int wait = poll_ms;
    if (ms >= 0) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
      if (left <= 0) return std::nullopt;
      wait = static_cast<int>(std::min<long long>(left, poll_ms));
    }
    timeout(wait);
    wint_t c = 0;
    const int rc = get_wch(&c);
    if (rc == KEY_CODE_YES) return std::pair{c, true};
    if (rc == OK) return std::pair{c, false};
  }
  return std::nullopt;
}

void View::rebuild() {
  const auto start = std::chrono::steady_clock::now();
  rows_ = build_rows(sampler_.current(), sampler_.cpu(), settings_.view, settings_.users);
  selected_ = std::min(selected_, rows_.empty() ? 0 : rows_.size() - 1);
  for (std::size_t i = 0; i < rows_.size(); ++i)
    if (selection_.matches(rows_[i])) {
      selected_ = i;
      break;
    }
  if (!rows_.empty()) select(selected_);
  compute_ = std::chrono::steady_clock::now() - start;
}

void View::select(std::size_t index) {
  selected_ = index;
  const Row& r = rows_[index];
  selection_ = {r.is_group, r.pid, r.group_key};
}

void View::move_selection(long by) {
  if (rows_.empty()) return;
  const long last = static_cast<long>(rows_.size()) - 1;
  select(static_cast<std::size_t>(std::clamp(static_cast<long>(selected_) + by, 0L, last)));
}

void View::draw() {
  const auto start = std::chrono::steady_clock::now();
  int height = 0;
  int width = 0;
  getmaxyx(stdscr, height, width);
  erase();
  const auto w = static_cast<std::size_t>(std::max(width, 1));
  const std::size_t visible = height > first_row ? static_cast<std::size_t>(height - first_row) : 0;
  // Keep the selection on screen.
  if (selected_ < top_) top_ = selected_;
  if (visible > 0 && selected_ >= top_ + visible) top_ = selected_ - visible + 1;
  if (top_ + visible > rows_.size()) top_ = rows_.size() > visible ? rows_.size() - visible : 0;

  const Layout layout = layout_for(w, rows_, top_, visible);
  std::vector<std::string> lines;
  lines.reserve(visible);
  for (std::size_t i = top_; i < rows_.size() && i < top_ + visible; ++i)
    lines.push_back(table_line(rows_[i], layout, settings_.view));

  const procinfo::Snapshot& cur = sampler_.current();
  const HeaderInfo info{.source = sampler_.source().to_string(),
                        .read_time = sampler_.read_time(),
                        .interval_s = settings_.interval_s,
                        .frame_time = std::chrono::duration_cast<Nanos>(
                            compute_ + (std::chrono::steady_clock::now() - start)),
                        .view = &settings_.view};
  const auto header = header_lines(cur, summarize(cur), info, w);
  for (int y = 0; y < header_rows && y < height; ++y)
    put_line(y, header[static_cast<std::size_t>(y)], width);
  if (message_row < height) {
    attron(A_BOLD);
    put_line(message_row, message_, width);
    attroff(A_BOLD);
  }
  if (titles_row < height) {
    attron(A_REVERSE);
    put_line(titles_row, table_header(layout), width, true);
    attroff(A_REVERSE);
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const bool chosen = top_ + i == selected_;
    if (chosen) attron(A_REVERSE);
    put_line(first_row + static_cast<int>(i), lines[i], width, chosen);
    if (chosen) attroff(A_REVERSE);
  }
  refresh();
}

void View::help() {
  while (stop_signal == 0) {
    erase();
    int height = 0;
    int width = 0;
    getmaxyx(stdscr, height, width);
    int y = 0;
    std::string_view rest = help_text;
    while (!rest.empty() && y < height) {
      const auto nl = rest.find('\n');
      put_line(y++, rest.substr(0, nl), width);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
    refresh();
    const auto k = key(-1);
    if (k && !(k->second && k->first == KEY_RESIZE)) break;  // a resize draws it again
  }
}

std::optional<std::string> View::prompt(std::string_view label, std::string text) {
  curs_set(1);
  std::optional<std::string> result;
  while (stop_signal == 0) {
    int height = 0;
    int width = 0;
    getmaxyx(stdscr, height, width);
    move(message_row, 0);
    clrtoeol();
    // The end of a long answer stays in sight.
    std::string shown = fmt::format("{}{}", label, tools::printable(text));
    const auto w = static_cast<std::size_t>(std::max(width - 1, 1));
    while (tools::display_width(shown) > w) {
      std::uint32_t cp = 0;
      shown.erase(0, std::max<std::size_t>(1, tools::detail::decode(shown, 0, cp)));
    }
    if (message_row < height) mvaddstr(message_row, 0, shown.c_str());
    refresh();
    const auto k = key(-1);
    if (!k) continue;
    const auto [c, function] = *k;
    if (function && c == KEY_RESIZE) {
      draw();
      continue;
    }
    if ((function && c == KEY_ENTER) || (!function && (c == L'\n' || c == L'\r'))) {
      result = text;
      break;
    }
    if (!function && c == escape) break;
    if ((function && c == KEY_BACKSPACE) || (!function && (c == 127 || c == 8))) {
      // Drops the last character, all of its UTF-8 bytes.
      while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xc0) == 0x80)
        text.pop_back();
      if (!text.empty()) text.pop_back();
      continue;
    }
    if (!function && c >= 0x20 && c != 0x7f) text += utf8(static_cast<wchar_t>(c));
  }
  curs_set(0);
  return result;
}

void View::filter() {
  const std::string current = settings_.filter ? settings_.filter->pattern() : std::string();
  const auto text = prompt("filter by name or command line (extended regex, empty: none): ",
                           current);
  if (!text) return;
  if (text->empty()) {
    settings_.set_filter(std::nullopt);
    message_ = "filter cleared";
    return;
  }
  try {
    settings_.set_filter(tools::Regex(*text, "filter"));
    message_.clear();
  } catch (const std::invalid_argument& e) {
    message_ = e.what();
  }
}

// The signal a name ("TERM", "SIGTERM") or number names; 0 for none.
int parse_signal(std::string_view text) {
  if (text.empty()) return SIGTERM;
  int number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec == std::errc() && end == text.data() + text.size())
    return number >= 1 && number < NSIG ? number : 0;
  if (text.starts_with("SIG") || text.starts_with("sig")) text.remove_prefix(3);
  for (int sig = 1; sig < SIGRTMIN; ++sig) {
    const char* abbrev = ::sigabbrev_np(sig);
    if (abbrev == nullptr || text.size() != std::strlen(abbrev)) continue;
    if (std::equal(text.begin(), text.end(), abbrev,
                   [](char a, char b) { return std::toupper(static_cast<unsigned char>(a)) == b; }))
      return sig;
  }
  return 0;
}

std::string signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev != nullptr ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", sig);
}

void View::send_signal() {
  if (rows_.empty()) return;
  const Row& r = rows_[selected_];
  if (r.is_group) {
    message_ = "select a process, not a container row, to send a signal to (Enter expands it)";
    return;
  }
  if (!sampler_.source().is_live()) {
    message_ = fmt::format("{} is saved data: its pids are not processes running here",
                           sampler_.source().to_string());
    return;
  }
  const std::uint32_t pid = r.pid;
  const std::string name = tools::printable(r.process->name);
  const auto answer = prompt(fmt::format("signal to send to {} ({}) [15]: ", pid, name), "");
  if (!answer) {
    message_.clear();
    return;
  }
  const int sig = parse_signal(*answer);
  if (sig == 0) {
    message_ = fmt::format("'{}' is not a signal (a number, or a name such as TERM or KILL)",
                           tools::printable(*answer));
    return;
  }
  const auto confirm =
      prompt(fmt::format("send {} to {} ({})? [y/N] ", signal_name(sig), pid, name), "");
  if (!confirm || (*confirm != "y" && *confirm != "Y" && *confirm != "yes")) {
    message_ = "no signal sent";
    return;
  }
  if (::kill(static_cast<pid_t>(pid), sig) != 0) {
    const int err = errno;
    message_ = fmt::format("cannot send {} to {} ({}): {}", signal_name(sig), pid, name,
                           err == ESRCH   ? "no such process (it has exited)"
                           : err == EPERM ? "not permitted (it is not yours)"
                                          : std::generic_category().message(err));
    return;
  }
  message_ = fmt::format("sent {} to {} ({})", signal_name(sig), pid, name);
}

// Handles one key; false to quit.
bool View::handle(wint_t c, bool function) {
  int height = 0;
  int width = 0;
  getmaxyx(stdscr, height, width);
  const long page = std::max(1, height - first_row);
  ViewOptions& v = settings_.view;
  const auto sort_by = [&](Column col) {
    v.sort = col;
    v.reverse = false;
  };
  if (function) {
    switch (c) {
      case KEY_UP: move_selection(-1); break;
      case KEY_DOWN: move_selection(1); break;
      case KEY_PPAGE: move_selection(-page); break;
      case KEY_NPAGE: move_selection(page); break;
      case KEY_HOME: move_selection(-static_cast<long>(rows_.size())); break;
      case KEY_END: move_selection(static_cast<long>(rows_.size())); break;
      case KEY_ENTER:
        return handle(L'\n', false);
      default: break;  // KEY_RESIZE among them: drawn again anyway
    }
    return true;
  }
  message_.clear();
  switch (c) {
    case L'q': return false;
    case L'P': sort_by(Column::cpu); break;
    case L'M': sort_by(Column::mem); break;
    case L'N': sort_by(Column::pid); break;
    case L'T': sort_by(Column::time); break;
    case L'<':
      sort_by(static_cast<Column>((static_cast<std::size_t>(v.sort) + column_count - 1) %
                                  column_count));
      break;
    case L'>':
      sort_by(static_cast<Column>((static_cast<std::size_t>(v.sort) + 1) % column_count));
      break;
    case L'R': v.reverse = !v.reverse; break;
    case L'c': v.full_command = !v.full_command; break;
    case L'C':
      v.containers_only = !v.containers_only;
      v.grouped = false;
      break;
    case L'g':
      v.grouped = !v.grouped;
      break;
    case L'\n':
    case L'\r':
      if (!rows_.empty() && rows_[selected_].is_group) {
        const std::string& k = rows_[selected_].group_key;
        if (!v.expanded.erase(k)) v.expanded.insert(k);
      } else if (v.grouped) {
        message_ = "Enter expands or folds a container row";
      }
      break;
    case L'/': filter(); break;
    case L'k': send_signal(); break;
    case L'h':
    case L'?': help(); break;
    case ctrl_l: clearok(stdscr, TRUE); break;
    case L' ': break;  // the caller refreshes
    default:
      message_ = "unknown key; h or ? lists the keys";
      break;
  }
  return true;
}

int View::run() {
  using Clock = std::chrono::steady_clock;
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(settings_.interval_s));
  auto next = Clock::now() + interval;
  std::uint64_t shown = 1;
  rebuild();
  draw();
  while (stop_signal == 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
    std::optional<std::pair<wint_t, bool>> k;
    if (left.count() > 0) k = key(static_cast<int>(left.count()));
    if (stop_signal != 0) break;
    bool refresh = !k;
    if (k) {
      if (!handle(k->first, k->second)) return 0;
      refresh = !k->second && k->first == L' ';
    }
    // -n: the last frame has been shown for an interval.
    if (!k && settings_.frames && shown >= *settings_.frames) return 0;
    if (refresh) {
      try {
        sampler_.read();
      } catch (const std::exception& e) {
        message_ = fmt::format("reading {} failed: {}; trying again",
                               sampler_.source().to_string(), e.what());
      }
      next = std::max(next + interval, Clock::now());
      if (k) next = Clock::now() + interval;
      ++shown;
    }
    rebuild();
    draw();
  }
  return 0;
}

}  // namespace

int run_screen(Sampler& sampler, Settings& settings) {
  catch_stop_signals();
  const Curses curses;
  View view(sampler, settings);
  return view.run();
}

}  // namespace top
