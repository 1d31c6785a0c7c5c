//! Calendar arithmetic for the RTC: Unix seconds to and from the time
//! bytes (proleptic Gregorian calendar, integers only), and the search for
//! the next second that matches the alarm bytes.
//!
//! `days_from_civil`/`civil_from_days` are Howard Hinnant's algorithms
//! ("chrono-Compatible Low-Level Date Algorithms"), exact for any day an
//! `i64` of seconds can name.

/// Seconds in a day.
const DAY: i64 = 86_400;

/// How the time bytes are coded (register B's DM and 24/12 bits).
#[derive(Clone, Copy, Debug)]
pub(super) struct Format {
    /// DM = 1: binary; else BCD.
    pub binary: bool,
    /// 24/12 = 1: hours 0-23; else 1-12 with the PM bit 7.
    pub hours_24: bool,
}

/// The PM bit of the hours bytes in 12-hour mode.
const PM: u8 = 0x80;

/// The clock's bytes in register order: seconds, minutes, hours, day of
/// week, day of month, month, year, century.
pub(super) type TimeBytes = [u8; 8];

impl Format {
    /// `v` (0..=99) as a byte.
    fn enc(self, v: i64) -> u8 {
        let v = v.rem_euclid(100) as u8;
        if self.binary {
            v
        } else {
            ((v / 10) << 4) | (v % 10)
        }
    }

    /// A byte's value; garbage BCD digits count as their nibble value.
    fn dec(self, b: u8) -> i64 {
        let v = if self.binary {
            b
        } else {
            (b >> 4) * 10 + (b & 0xF)
        };
        i64::from(v)
    }

    /// Hour `h` (0..=23) as an hours byte.
    fn enc_hour(self, h: i64) -> u8 {
        if self.hours_24 {
            return self.enc(h);
        }
        let pm = if h >= 12 { PM } else { 0 };
        let h12 = match h % 12 {
            0 => 12,
            h => h,
        };
        self.enc(h12) | pm
    }

    /// An hours byte's hour of the day.
    fn dec_hour(self, b: u8) -> i64 {
        if self.hours_24 {
            return self.dec(b);
        }
        let pm = if b & PM != 0 { 12 } else { 0 };
        self.dec(b & !PM) % 12 + pm
    }

    /// The time bytes for Unix time `secs`.
    pub fn encode(self, secs: i64) -> TimeBytes {
        let days = secs.div_euclid(DAY);
        let tod = secs.rem_euclid(DAY);
        let (y, m, d) = civil_from_days(days);
        // 1970-01-01 was a Thursday; Sunday is 1.
        let dow = (days + 4).rem_euclid(7) + 1;
        [
            self.enc(tod % 60),
            self.enc(tod / 60 % 60),
            self.enc_hour(tod / 3600),
            self.enc(dow),
            self.enc(d),
            self.enc(m),
            self.enc(y),
            self.enc(y.div_euclid(100)),
        ]
    }

    /// The Unix time the bytes name. The day of week is ignored; values out
    /// of range (a 31st of February, BCD digits above 9) carry over into
    /// the next unit rather than fail.
    pub fn decode(self, t: &TimeBytes) -> i64 {
        let months = (self.dec(t[7]) * 100 + self.dec(t[6])) * 12 + self.dec(t[5]) - 1;
        let days = days_from_civil(months.div_euclid(12), months.rem_euclid(12) + 1, 1)
            + self.dec(t[4])
            - 1;
        days * DAY + self.dec_hour(t[2]) * 3600 + self.dec(t[1]) * 60 + self.dec(t[0])
    }

    /// An alarm byte as a pattern: "don't care" codes (`11xxxxxx`) match
    /// anything; a byte no time byte can equal matches nothing.
    fn alarm(self, b: u8, hour: bool, limit: i64) -> Pattern {
        if b & 0xC0 == 0xC0 {
            return Pattern::Any;
        }
        let v = if hour { self.dec_hour(b) } else { self.dec(b) };
        let back = if hour { self.enc_hour(v) } else { self.enc(v) };
        if v < limit && back == b {
            Pattern::Is(v)
        } else {
            Pattern::Never
        }
    }

    /// The first Unix second after `after` whose seconds, minutes and
    /// hours match the alarm bytes `[seconds, minutes, hours]`, if any.
    pub fn next_alarm(self, alarm: [u8; 3], after: i64) -> Option<i64> {
        let s = self.alarm(alarm[0], false, 60);
        let m = self.alarm(alarm[1], false, 60);
        let h = self.alarm(alarm[2], true, 24);
        if [s, m, h].contains(&Pattern::Never) {
            return None;
        }
        let from = after.checked_add(1)?;
        let day = from - from.rem_euclid(DAY);
        match next_in_day([h, m, s], from.rem_euclid(DAY)) {
            Some(tod) => day.checked_add(tod),
            None => day.checked_add(DAY + next_in_day([h, m, s], 0)?),
        }
    }
}

/// What one alarm byte matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pattern {
    Any,
    Is(i64),
    Never,
}

/// The first second of the day at or after `tod` that matches `[hours,
/// minutes, seconds]` (none of them `Never`).
fn next_in_day(p: [Pattern; 3], tod: i64) -> Option<i64> {
    let (mut h, mut m, mut s) = (tod / 3600, tod / 60 % 60, tod % 60);
    while h < 24 {
        match p[0] {
            Pattern::Is(x) if x < h => return None,
            Pattern::Is(x) if x > h => (h, m, s) = (x, 0, 0),
            _ => {}
        }
        match p[1] {
            Pattern::Is(x) if x < m => {
                (h, m, s) = (h + 1, 0, 0);
                continue;
            }
            Pattern::Is(x) if x > m => (m, s) = (x, 0),
            _ => {}
        }
        match p[2] {
            Pattern::Is(x) if x < s => {
                (m, s) = (m + 1, 0);
                if m == 60 {
                    (h, m) = (h + 1, 0);
                }
                continue;
            }
            Pattern::Is(x) => s = x,
            _ => {}
        }
        return Some(h * 3600 + m * 60 + s);
    }
    None
}

/// Days since 1970-01-01 of year `y`, month `m` (1..=12), day `d`.
pub(super) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Year, month (1..=12) and day (1..=31) of day `z` since 1970-01-01.
pub(super) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}
