//! `regauth doctor [PACKAGE...] [--format human|json]`.

#[derive(clap::Args, Debug)]
pub struct DoctorArgs {
    /// Packages whose route (registry and credential) to show
    pub packages: Vec<String>,
    #[arg(long, value_enum, default_value_t = crate::render::Format::Human)]
    pub format: crate::render::Format,
}

pub fn run(args: DoctorArgs) -> anyhow::Result<i32> {
    let _ = args;
    anyhow::bail!("doctor is not built yet")
}
