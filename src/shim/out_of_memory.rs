//! Out of memory while explaining: under a memory limit an allocation can fail, and Rust then
//! aborts the whole process (exit 134 instead of npm's code, after a "memory allocation
//! failed" line). Once npm has exited and regauth starts explaining its failure, a failed
//! allocation instead ends regauth at once with npm's exit code and one line. Before that, and
//! in regauth's own commands, nothing changes (a null is handed on as ever).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicI32, Ordering};

/// The system allocator, watched for a failure once `exit_as_npm_when_out_of_memory` is armed
/// (the binary's global allocator: see main.rs).
pub struct Watched;

const NOT_ARMED: i32 = -1;
static NPM_EXIT_CODE: AtomicI32 = AtomicI32::new(NOT_ARMED);

const LINE: &[u8] =
    b"regauth: out of memory while explaining npm's failure; npm's result is unchanged\n";

/// From now on a failed allocation ends regauth with `code` (npm's) after one line.
pub(crate) fn exit_as_npm_when_out_of_memory(code: i32) {
    NPM_EXIT_CODE.store(code, Ordering::SeqCst);
}

/// `ptr` unless it is null while armed: then the line, and exit with npm's code.
fn checked(ptr: *mut u8) -> *mut u8 {
    if ptr.is_null() {
        let code = NPM_EXIT_CODE.load(Ordering::SeqCst);
        if code != NOT_ARMED {
            let _ = nix::unistd::write(std::io::stderr(), LINE);
            // SAFETY: _exit(2) allocates nothing and runs no handlers: the right way out of an
            // allocator that has no memory left (any thread may be the one here).
            unsafe { libc::_exit(code) }
        }
    }
    ptr
}

// SAFETY: every call is passed to the system allocator unchanged; only a null result is
// looked at, and then either returned as it was or the process ends.
unsafe impl GlobalAlloc for Watched {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        checked(unsafe { System.alloc(layout) })
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        checked(unsafe { System.alloc_zeroed(layout) })
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        checked(unsafe { System.realloc(ptr, layout, new_size) })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}
