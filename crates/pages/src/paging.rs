//! Paging of long lists: `?page=N` (1-based), a fixed number per page, and
//! the links to the neighbouring pages.

use serde::Deserialize;

/// The cases, entries or rows one page lists.
pub const PER_PAGE: u32 = 50;

/// `?page=N` of a list page (anything else in the query is the page's own).
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub page: Option<u32>,
}

/// Where a page is in its list, and the links around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// 1-based.
    pub page: u32,
    /// At least 1.
    pub pages: u32,
    /// Every item of the list.
    pub total: u64,
    /// 共 N 条，第 p / P 页.
    pub summary: String,
    /// The previous page's address, if any.
    pub prev: Option<String>,
    /// The next page's address, if any.
    pub next: Option<String>,
}

impl Pager {
    /// Page `page` (clamped to 1..) of `total` items, [`PER_PAGE`] a page,
    /// at `base` (a path with its other query parameters, if any).
    pub fn new(base: &str, page: Option<u32>, total: u64) -> Pager {
        Pager::sized(base, page, PER_PAGE, total)
    }

    /// As [`Pager::new`] with `per_page` items a page; `base` may end in
    /// `?` or `&` already.
    pub fn sized(base: &str, page: Option<u32>, per_page: u32, total: u64) -> Pager {
        let pages = u32::try_from(total.div_ceil(u64::from(per_page.max(1))))
            .unwrap_or(u32::MAX)
            .max(1);
        let page = page.unwrap_or(1).max(1);
        let sep = if base.ends_with('?') || base.ends_with('&') {
            ""
        } else if base.contains('?') {
            "&"
        } else {
            "?"
        };
        let link = |p: u32| format!("{base}{sep}page={p}");
        Pager {
            page,
            pages,
            total,
            summary: format!(
                "共 {} 条，第 {page} / {pages} 页",
                xinyong_app::display::thousands(u128::from(total))
            ),
            prev: (page > 1).then(|| link((page - 1).min(pages))),
            next: (page < pages).then(|| link(page + 1)),
        }
    }

    /// The items to skip for page `page` (1-based; 0 and 1 are the first).
    pub fn offset(page: Option<u32>) -> u32 {
        page.unwrap_or(1)
            .max(1)
            .saturating_sub(1)
            .saturating_mul(PER_PAGE)
    }

    /// Whether there is more than one page (the links are shown).
    pub fn is_paged(&self) -> bool {
        self.pages > 1 || self.page > 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_links_and_offsets() {
        let p = Pager::new("/queue", Some(2), 120);
        assert_eq!((p.page, p.pages, p.total), (2, 3, 120));
        assert_eq!(p.prev.as_deref(), Some("/queue?page=1"));
        assert_eq!(p.next.as_deref(), Some("/queue?page=3"));
        assert_eq!(Pager::offset(Some(2)), 50);
        assert_eq!(Pager::offset(None), 0);
        assert_eq!(Pager::offset(Some(0)), 0);
        // exactly one page: no links
        let p = Pager::new("/queue", None, 50);
        assert_eq!((p.pages, p.prev.clone(), p.next.clone()), (1, None, None));
        assert!(!p.is_paged());
        // 51 items: two pages
        assert_eq!(Pager::new("/queue", None, 51).pages, 2);
        // empty: one page
        assert_eq!(Pager::new("/queue", None, 0).pages, 1);
        assert_eq!(
            Pager::sized("/lists?kind=red&", Some(1), 20, 41)
                .next
                .as_deref(),
            Some("/lists?kind=red&page=2")
        );
        assert_eq!(
            Pager::sized("/x", Some(2), 20, 41).summary,
            "共 41 条，第 2 / 3 页"
        );
        // past the end: back to the last page, no next
        let p = Pager::new("/lists?kind=red", Some(9), 120);
        assert_eq!(p.prev.as_deref(), Some("/lists?kind=red&page=3"));
        assert_eq!(p.next, None);
        assert!(p.is_paged());
    }
}
