//! Entry point: argv[0] dispatch (`npm` -> shim) and regauth's own CLI.

#[global_allocator]
static ALLOCATOR: regauth::WatchedAllocator = regauth::WatchedAllocator;

fn main() {
    std::process::exit(regauth::main());
}
