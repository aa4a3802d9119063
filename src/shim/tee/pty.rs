//! The tee's pty (when regauth's stdout or stderr is a terminal): a slave that looks like that
//! terminal, and window sizes copied from it.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};

use nix::fcntl::{fcntl, FcntlArg, FdFlag};
use nix::pty::Winsize;

/// A pty whose slave looks like the terminal `model` (same settings and size), except that
/// output processing is off so bytes arrive unchanged and the real terminal does its own.
/// Returns (slave, master).
pub(super) fn open(model: BorrowedFd) -> io::Result<(OwnedFd, OwnedFd)> {
    let size = window_size(model);
    let termios = nix::sys::termios::tcgetattr(model).ok();
    let termios = termios.map(|mut t| {
        t.output_flags.remove(nix::sys::termios::OutputFlags::OPOST);
        t
    });
    let pty = nix::pty::openpty(size.as_ref(), termios.as_ref()).map_err(io::Error::from)?;
    set_cloexec(&pty.master)?;
    set_cloexec(&pty.slave)?;
    Ok((pty.slave, pty.master))
}

pub(super) fn set_cloexec(fd: &OwnedFd) -> io::Result<()> {
    fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC))?;
    Ok(())
}

/// A window size as one number (`cols << 16 | rows`), to tell a change.
pub(super) fn packed(size: Winsize) -> u32 {
    (u32::from(size.ws_col) << 16) | u32::from(size.ws_row)
}

// nix has no safe call for the window size: two ioctls on fds the caller borrows.
nix::ioctl_read_bad!(get_winsize, libc::TIOCGWINSZ, Winsize);
nix::ioctl_write_ptr_bad!(set_winsize, libc::TIOCSWINSZ, Winsize);

pub(super) fn window_size(fd: BorrowedFd) -> Option<Winsize> {
    let mut size = Winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one winsize into `size`, on a live borrowed fd.
    unsafe { get_winsize(fd.as_raw_fd(), &mut size) }.ok()?;
    Some(size)
}

pub(super) fn set_window_size(fd: BorrowedFd, size: &Winsize) {
    // SAFETY: TIOCSWINSZ reads one winsize from `size`, on a live borrowed fd.
    let _ = unsafe { set_winsize(fd.as_raw_fd(), size) };
}
