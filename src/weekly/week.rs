//! ISO weeks (`2026-W03`): parsing, formatting and the seven dates they cover.

use chrono::{Datelike, NaiveDate, Weekday};

/// One ISO 8601 week: Monday to Sunday, numbered within its ISO year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoWeek {
    pub year: i32,
    pub week: u32,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "\"{0}\" is not an ISO week: write YYYY-Www, e.g. 2026-W03 (weeks 01-52, or 53 in long years)"
)]
pub struct WeekParseError(pub String);

impl IsoWeek {
    /// The week `date` falls in.
    pub fn containing(date: NaiveDate) -> IsoWeek {
        let iso = date.iso_week();
        IsoWeek {
            year: iso.year(),
            week: iso.week(),
        }
    }

    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon)
            .expect("IsoWeek values are validated on construction")
    }

    pub fn sunday(self) -> NaiveDate {
        self.monday() + chrono::Duration::days(6)
    }

    /// Monday to Sunday.
    pub fn dates(self) -> Vec<NaiveDate> {
        let monday = self.monday();
        (0..7).map(|d| monday + chrono::Duration::days(d)).collect()
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        IsoWeek::containing(date) == self
    }
}

impl std::fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

impl std::str::FromStr for IsoWeek {
    type Err = WeekParseError;

    fn from_str(s: &str) -> Result<IsoWeek, WeekParseError> {
        let err = || WeekParseError(s.to_string());
        let (year, week) = s.trim().split_once(['-']).ok_or_else(err)?;
        let week = week
            .strip_prefix('W')
            .or_else(|| week.strip_prefix('w'))
            .ok_or_else(err)?;
        if year.len() != 4 || week.len() != 2 {
            return Err(err());
        }
        let year: i32 = year.parse().map_err(|_| err())?;
        let week: u32 = week.parse().map_err(|_| err())?;
        // from_isoywd_opt rejects week 0, week 54 and week 53 in a 52-week year.
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or_else(err)?;
        Ok(IsoWeek { year, week })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_formats_and_spans_monday_to_sunday() {
        let week: IsoWeek = "2026-W03".parse().unwrap();
        assert_eq!(week.to_string(), "2026-W03");
        assert_eq!(week.monday(), NaiveDate::from_ymd_opt(2026, 1, 12).unwrap());
        assert_eq!(week.sunday(), NaiveDate::from_ymd_opt(2026, 1, 18).unwrap());
        assert_eq!(week.dates().len(), 7);
        assert!(week.contains(NaiveDate::from_ymd_opt(2026, 1, 18).unwrap()));
        assert!(!week.contains(NaiveDate::from_ymd_opt(2026, 1, 19).unwrap()));
    }

    #[test]
    fn iso_year_differs_from_calendar_year_at_the_edges() {
        // 2027-01-01 is a Friday: it belongs to the last week of ISO year 2026.
        let week = IsoWeek::containing(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
        assert_eq!(week.to_string(), "2026-W53");
        assert_eq!(
            week.monday(),
            NaiveDate::from_ymd_opt(2026, 12, 28).unwrap()
        );
    }

    #[test]
    fn rejects_malformed_and_out_of_range_weeks() {
        for bad in [
            "2026-03", "2026W03", "2026-W3", "2026-W00", "2026-W54", "2025-W53", "x-W01",
        ] {
            assert!(bad.parse::<IsoWeek>().is_err(), "{bad}");
        }
        assert!("2026-W53".parse::<IsoWeek>().is_ok());
    }
}
