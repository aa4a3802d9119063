//! Entry point: argv[0] dispatch (`npm` -> shim) and regauth's own CLI.

fn main() {
    std::process::exit(regauth::main());
}
