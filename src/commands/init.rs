//! `regauth init bash|zsh|fish`: the shell snippet that routes npm and npx through regauth.

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// bash, zsh or fish
    pub shell: String,
}

pub fn run(args: InitArgs) -> anyhow::Result<i32> {
    let _ = args;
    anyhow::bail!("init is not built yet")
}
