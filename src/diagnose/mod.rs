//! Evidence -> ranked causes from the taxonomy -> a `Report`.
