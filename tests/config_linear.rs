//! Linear time and bounded memory for what regauth reads: `.npmrc` files (100k keys, a 10 MB
//! line, 1 M lines), npm's failure output and debug log, and lockfiles (streamed: a 200 MB
//! lockfile in bounded memory). Time is asserted as the ratio of the CPU time this thread spends on two input sizes in the same
//! run (linear work gives about the size ratio, quadratic its square); memory by counting the
//! bytes this thread has allocated (a counting global allocator), never by a wall-clock limit.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use regauth::config::{lockfile, Config, LoadContext};

/// Counts the live bytes and their peak allocated by the current thread.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn track(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        track(layout.size() as isize);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        track(-(layout.size() as isize));
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        track(new_size as isize - layout.size() as isize);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The most bytes this thread held at once while `f` ran, above what it held before.
fn peak_bytes_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    let peak = PEAK.with(Cell::get);
    (out, (peak - base).max(0) as usize)
}

/// The least CPU time this thread spent in three runs: CPU time, not wall time, so that other
/// processes on a loaded machine (a CI run's parallel builds) do not count; the least of three
/// leaves out a run slowed by cache misses after a preemption.
fn best_of_three(mut f: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let start = thread_cpu_time();
            f();
            thread_cpu_time().saturating_sub(start)
        })
        .min()
        .unwrap()
}

fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to fill.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Asserts that 4x the input costs well under 16x the time (quadratic work would be ~16x).
fn assert_linear(what: &str, mut run: impl FnMut(usize), small: usize) {
    run(small); // warm caches and lazy tables
    let t_small = best_of_three(|| run(small));
    let t_large = best_of_three(|| run(small * 4));
    let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-6);
    assert!(
        ratio < 8.0,
        "PRODUCT: {what}: 4x the input took {ratio:.1}x the time ({t_small:?} -> {t_large:?})"
    );
}

fn load_npmrc(text: &str) -> Config {
    let dir = tempfile::tempdir().unwrap();
    let (home, project) = (dir.path().join("home"), dir.path().join("project"));
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("package.json"), "{}").unwrap();
    std::fs::write(home.join(".npmrc"), text).unwrap();
    let ctx = LoadContext {
        cwd: project,
        env: vec![
            ("HOME".into(), home.display().to_string()),
            (
                "PREFIX".into(),
                dir.path().join("prefix").display().to_string(),
            ),
        ],
        npm_args: Vec::new(),
        npm_path: Some(dir.path().join("no/bin/npm")),
        node_path: Some(dir.path().join("no/bin/node")),
    };
    Config::load(&ctx)
}

/// `n` distinct keys of the kinds regauth indexes: scope registries, credentials, plain keys.
fn many_keys(n: usize) -> String {
    let mut text = String::with_capacity(n * 48);
    for i in 0..n {
        match i % 3 {
            0 => text.push_str(&format!("@s{i}:registry=http://h{i}.example/\n")),
            1 => text.push_str(&format!("//h{i}.example/:_authToken=CANARYtoken{i}\n")),
            _ => text.push_str(&format!("key-{i}=value {i}\n")),
        }
    }
    text
}

#[test]
fn npmrc_keys_load_route_and_check_in_linear_time() {
    assert_linear(
        "loading, routing and checking an .npmrc by key count",
        |n| {
            let config = load_npmrc(&many_keys(n));
            assert!(config.credentials().len() >= n / 3);
            let _ = config.problems();
            let _ = config.route_package("@s0/lib");
        },
        1_500,
    );
}

#[test]
fn a_hundred_thousand_keys_parse_and_load() {
    let config = load_npmrc(&many_keys(100_000));
    assert_eq!(config.credentials().len(), 33_333);
    let route = config.route_package("@s99999/lib");
    assert_eq!(route.registry.url, "http://h99999.example/");
}

#[test]
fn one_long_line_and_many_lines_are_linear() {
    assert_linear(
        "an .npmrc value of N bytes",
        |n| {
            let text = format!(
                "//h/:_authToken={}\\;{}\n",
                "x".repeat(n),
                "${A".repeat(n / 8)
            );
            let config = load_npmrc(&text);
            assert_eq!(config.credentials().len(), 1);
        },
        1 << 18,
    );
    assert_linear(
        "an .npmrc of N lines",
        |n| {
            let text = "; comment\n\nk=v\n[s]\n".repeat(n / 4);
            let parsed = regauth::config::ini::parse(&text);
            assert_eq!(parsed.entries.len(), n / 4);
        },
        60_000,
    );
}

#[test]
fn a_ten_megabyte_line_and_a_million_lines_load() {
    let text = format!("registry=http://h/{}\n", "a".repeat(10 << 20));
    let config = load_npmrc(&text);
    assert!(config.default_registry().0.len() > 10 << 20);
    let text = "k=v\n".repeat(1_000_000);
    assert_eq!(regauth::config::ini::parse(&text).top_level().len(), 1);
}

#[test]
fn npm_failure_output_and_debug_logs_are_read_in_linear_time() {
    let line = "npm error 401 Unauthorized - GET http://127.0.0.1:4873/@priv%2flib - bad\n";
    assert_linear(
        "npm output of N lines",
        |n| {
            let text = format!("npm error code E401\n{}", line.repeat(n));
            let failure = regauth::detect::from_text(&text);
            assert!(failure.code.is_some());
        },
        1_000,
    );
    assert_linear(
        "one output line of N bytes",
        |n| {
            let text = format!("npm error code E401\nnpm error {}\n", "x".repeat(n));
            let _ = regauth::detect::from_text(&text);
        },
        1 << 18,
    );
}

/// A generated `package-lock.json` of about `bytes` bytes, produced while it is read.
struct GeneratedLock {
    head: std::io::Cursor<Vec<u8>>,
    entries_left: usize,
    entry: usize,
    pending: std::io::Cursor<Vec<u8>>,
    tail_sent: bool,
}

impl GeneratedLock {
    const ENTRY_BYTES: usize = 190;

    fn new(bytes: usize) -> Self {
        GeneratedLock {
            head: std::io::Cursor::new(
                br#"{"name":"p","lockfileVersion":3,"packages":{"":{}"#.to_vec(),
            ),
            entries_left: bytes / Self::ENTRY_BYTES,
            entry: 0,
            pending: std::io::Cursor::new(Vec::new()),
            tail_sent: false,
        }
    }

    /// The next entry (or the closing braces); `false` once everything was produced.
    fn refill(&mut self) -> bool {
        let text = if self.entries_left > 0 {
            self.entries_left -= 1;
            self.entry += 1;
            let host = if self.entry % 2 == 0 {
                "127.0.0.1:4873"
            } else {
                "registry.npmjs.org"
            };
            format!(
                r#","node_modules/p{0}":{{"version":"1.0.{0}","resolved":"http://{host}/p{0}/-/p{0}-1.0.{0}.tgz","integrity":"sha512-CANARYCANARYCANARY"}}"#,
                self.entry
            )
        } else if !self.tail_sent {
            self.tail_sent = true;
            "}}".to_owned()
        } else {
            return false;
        };
        self.pending = std::io::Cursor::new(text.into_bytes());
        true
    }
}

impl Read for GeneratedLock {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.head.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            let n = self.pending.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            if !self.refill() {
                return Ok(0);
            }
        }
    }
}

fn scan_generated(bytes: usize) -> lockfile::Lockfile {
    lockfile::scan_npm_reader(
        Path::new("package-lock.json"),
        "package-lock.json",
        GeneratedLock::new(bytes),
    )
    .expect("PRODUCT: the generated lockfile is well-formed JSON")
}

#[test]
fn a_200_megabyte_lockfile_is_scanned_in_bounded_memory() {
    let (lock, peak) = peak_bytes_during(|| scan_generated(200 << 20));
    let total: usize = lock.hosts.iter().map(|h| h.count).sum();
    assert_eq!(total, (200 << 20) / GeneratedLock::ENTRY_BYTES);
    assert_eq!(lock.hosts.len(), 2);
    assert!(
        peak < 1 << 20,
        "PRODUCT: scanning a 200 MB lockfile held {peak} bytes at once"
    );
}

#[test]
fn lockfile_scans_are_linear() {
    assert_linear(
        "a package-lock.json of N bytes",
        |n| {
            let lock = scan_generated(n);
            assert_eq!(lock.hosts.len(), 2);
        },
        1 << 20,
    );
    assert_linear(
        "a yarn.lock of N lines",
        |n| {
            let text = "a@^1:\n  resolved \"http://127.0.0.1:4873/a/-/a-1.tgz#x\"\n".repeat(n / 2);
            let hosts = lockfile::scan_yarn_reader(text.as_bytes());
            assert_eq!(hosts[0].count, n / 2);
        },
        30_000,
    );
}

/// `text` over and over, about `bytes` in all, produced as it is read.
struct Cycle {
    text: &'static [u8],
    left: usize,
    at: usize,
}

impl Read for Cycle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.left).min(self.text.len() - self.at);
        buf[..n].copy_from_slice(&self.text[self.at..self.at + n]);
        self.at = (self.at + n) % self.text.len();
        self.left -= n;
        Ok(n)
    }
}

const YARN1_ENTRY: &str =
    "a@^1:\n  version \"1.0.0\"\n  resolved \"http://127.0.0.1:4873/a/-/a-1.tgz#x\"\n\n";

#[test]
fn telling_a_yarn_1_lockfile_from_berry_s_reads_it_once_in_bounded_memory() {
    let yarn1 = |bytes: usize| Cycle {
        text: YARN1_ENTRY.as_bytes(),
        left: bytes,
        at: 0,
    };
    let (berry, peak) = peak_bytes_during(|| lockfile::is_berry_lock(yarn1(200 << 20)));
    assert!(!berry);
    assert!(
        peak < 1 << 20,
        "PRODUCT: reading a 200 MB yarn.lock held {peak} bytes at once"
    );
    assert_linear(
        "telling a yarn.lock of N bytes",
        |n| assert!(!lockfile::is_berry_lock(yarn1(n))),
        4 << 20,
    );
    let berry = "# generated\n\n__metadata:\n  version: 8\n".as_bytes();
    assert!(lockfile::is_berry_lock(berry.chain(yarn1(1 << 20))));
}
