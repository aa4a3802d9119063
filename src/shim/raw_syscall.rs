//! System calls made without libc: no errno written, no thread-local state read, for code that
//! runs with another thread's thread pointer (the witness).

/// A system call with up to four arguments: the kernel's return value, `-errno` on failure.
///
/// # Safety
/// The arguments must be valid for system call `nr` (pointers to memory it may read or write).
#[cfg(target_arch = "x86_64")]
pub(super) unsafe fn call4(nr: libc::c_long, a: usize, b: usize, c: usize, d: usize) -> isize {
    let ret: isize;
    // SAFETY: the caller's; `syscall` clobbers rcx and r11 and touches no stack.
    unsafe {
        std::arch::asm!(
            "syscall",
            inlateout("rax") nr as isize => ret,
            in("rdi") a,
            in("rsi") b,
            in("rdx") c,
            in("r10") d,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret
}

/// A system call with up to four arguments: the kernel's return value, `-errno` on failure.
///
/// # Safety
/// The arguments must be valid for system call `nr` (pointers to memory it may read or write).
#[cfg(target_arch = "aarch64")]
pub(super) unsafe fn call4(nr: libc::c_long, a: usize, b: usize, c: usize, d: usize) -> isize {
    let ret: isize;
    // SAFETY: the caller's; `svc 0` touches no stack.
    unsafe {
        std::arch::asm!(
            "svc 0",
            in("x8") nr,
            inlateout("x0") a as isize => ret,
            in("x1") b,
            in("x2") c,
            in("x3") d,
            options(nostack),
        );
    }
    ret
}
