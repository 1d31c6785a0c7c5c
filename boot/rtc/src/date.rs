//! Seconds since 1970 as a UTC date and time, for the time line.

use core::fmt;

/// Seconds since 1970-01-01 00:00:00 UTC.
pub struct Utc(pub u32);

/// Seconds in a day.
const DAY: u32 = 86_400;

/// The civil date of `days` since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for days >= 0).
fn civil(days: u32) -> (u32, u32, u32) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u32::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for Utc {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let (year, month, day) = civil(self.0 / DAY);
        let secs = self.0 % DAY;
        write!(
            f,
            "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}
