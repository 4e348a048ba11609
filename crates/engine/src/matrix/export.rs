//! Filtering the matrix and exporting it as CSV (RFC 4180).

use super::{AccessMatrix, Cell, MatrixKey, MatrixPrincipal, Outcome};

/// A cell a filter keeps ([`AccessMatrix::kept_cells`]), with its row, key and column.
#[derive(Debug, Clone, Copy)]
pub struct KeptCell<'m> {
    /// The row.
    pub principal: &'m MatrixPrincipal,
    /// The key.
    pub key: &'m MatrixKey,
    /// The operation (column).
    pub operation: &'static str,
    /// The cell.
    pub cell: Cell,
}

/// Which outcomes a filter keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutcomeFilter {
    /// Every cell.
    #[default]
    Any,
    /// Allowed and the key's state lets the operation run.
    Allowed,
    /// Allowed, but the key's state (or its type: a MAC key asked to encrypt) refuses.
    AllowedButStateRefuses,
    /// Any denial (explicit or implicit).
    Denied,
    /// Explicit denies only.
    ExplicitDeny,
    /// Implicit denies only.
    ImplicitDeny,
}

impl OutcomeFilter {
    /// Whether the outcome passes.
    pub fn keeps(self, o: Outcome) -> bool {
        match self {
            OutcomeFilter::Any => true,
            OutcomeFilter::Allowed => o == Outcome::Allowed,
            OutcomeFilter::AllowedButStateRefuses => o == Outcome::AllowedButStateRefuses,
            OutcomeFilter::Denied => matches!(o, Outcome::ExplicitDeny | Outcome::ImplicitDeny),
            OutcomeFilter::ExplicitDeny => o == Outcome::ExplicitDeny,
            OutcomeFilter::ImplicitDeny => o == Outcome::ImplicitDeny,
        }
    }

    /// Every filter, with the name the app shows, in order.
    pub const ALL: [(OutcomeFilter, &'static str); 6] = [
        (OutcomeFilter::Any, "any outcome"),
        (OutcomeFilter::Allowed, "allowed"),
        (
            OutcomeFilter::AllowedButStateRefuses,
            "allowed, state refuses",
        ),
        (OutcomeFilter::Denied, "denied"),
        (OutcomeFilter::ExplicitDeny, "explicit deny"),
        (OutcomeFilter::ImplicitDeny, "implicit deny"),
    ];
}

/// A filter: case-insensitive substrings of the principal ARN, the key (id, ARN or alias) and
/// the operation name (empty matches everything), and the outcomes to keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatrixFilter {
    /// Part of the principal's ARN.
    pub principal: String,
    /// Part of the key's id, ARN or an alias.
    pub key: String,
    /// Part of the operation's name.
    pub operation: String,
    /// The outcomes kept.
    pub outcome: OutcomeFilter,
}

fn contains_ci(hay: &str, needle_lc: &str) -> bool {
    needle_lc.is_empty() || hay.to_lowercase().contains(needle_lc)
}

/// The part of a matrix a filter keeps: the operations (columns) whose name passes, and the
/// (principal, key) rows that pass and have at least one kept cell among those columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filtered {
    /// Operation indexes.
    pub operations: Vec<usize>,
    /// (principal, key) indexes, principal-major.
    pub rows: Vec<(usize, usize)>,
    /// Cells kept (those of kept rows and columns whose outcome passes).
    pub cells: usize,
}

impl AccessMatrix {
    /// Applies a filter.
    pub fn filter(&self, f: &MatrixFilter) -> Filtered {
        let (p_lc, k_lc, o_lc) = (
            f.principal.trim().to_lowercase(),
            f.key.trim().to_lowercase(),
            f.operation.trim().to_lowercase(),
        );
        let operations: Vec<usize> = self
            .operations
            .iter()
            .enumerate()
            .filter(|(_, o)| contains_ci(o, &o_lc))
            .map(|(i, _)| i)
            .collect();
        let principals: Vec<usize> = self
            .principals
            .iter()
            .enumerate()
            .filter(|(_, p)| contains_ci(&p.arn, &p_lc))
            .map(|(i, _)| i)
            .collect();
        let keys: Vec<usize> = self
            .keys
            .iter()
            .enumerate()
            .filter(|(_, k)| {
                contains_ci(&k.arn, &k_lc) || k.aliases.iter().any(|a| contains_ci(a, &k_lc))
            })
            .map(|(i, _)| i)
            .collect();
        let mut rows = Vec::new();
        let mut cells = 0;
        for &p in &principals {
            for &k in &keys {
                let kept = operations
                    .iter()
                    .filter(|&&o| self.keeps(f, p, k, o))
                    .count();
                if kept > 0 {
                    rows.push((p, k));
                    cells += kept;
                }
            }
        }
        Filtered {
            operations,
            rows,
            cells,
        }
    }

    /// Whether cell `(p, k, o)` passes the filter's outcome.
    pub fn keeps(&self, f: &MatrixFilter, p: usize, k: usize, o: usize) -> bool {
        self.cell(p, k, o)
            .is_some_and(|c| f.outcome.keeps(c.outcome()))
    }

    /// The cells a filter keeps, principal-major (each kept (principal, key) pair's cells in
    /// operation order): what the CSV export and `kmslab matrix` list.
    pub fn kept_cells<'m>(&'m self, f: &MatrixFilter) -> impl Iterator<Item = KeptCell<'m>> + 'm {
        let view = self.filter(f);
        let outcome = f.outcome;
        let Filtered {
            rows, operations, ..
        } = view;
        rows.into_iter().flat_map(move |(p, k)| {
            let row = self.principals.get(p).zip(self.keys.get(k));
            operations.clone().into_iter().filter_map(move |o| {
                let (principal, key) = row?;
                let cell = self.cell(p, k, o)?;
                let operation = *self.operations.get(o)?;
                outcome.keeps(cell.outcome()).then_some(KeptCell {
                    principal,
                    key,
                    operation,
                    cell,
                })
            })
        })
    }

    /// The filtered cells as CSV (RFC 4180: CRLF line ends, fields with a comma, quote or line
    /// break quoted, quotes doubled), one line per cell: principal, key, operation, outcome,
    /// decision, what allowed it, the key-state exception and the deciding statements.
    pub fn to_csv(&self, f: &MatrixFilter) -> String {
        let mut out = String::from(
            "principal,key_id,key_arn,operation,outcome,decision,via,state_exception,deciding\r\n",
        );
        for kc in self.kept_cells(f) {
            let c = kc.cell;
            let fields = [
                kc.principal.arn.as_str(),
                kc.key.id.as_str(),
                kc.key.arn.as_str(),
                kc.operation,
                c.outcome().as_str(),
                c.decision.as_str(),
                c.via.as_str(),
                c.state_error.map_or("", |e| e.as_str()),
                self.reason(&c),
            ];
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_field(&mut out, field);
            }
            out.push_str("\r\n");
        }
        out
    }

    /// Counts of each outcome among every cell, in [`Outcome`] order.
    pub fn counts(&self) -> [(Outcome, usize); 4] {
        let mut n = [0usize; 4];
        for c in &self.cells {
            let i = outcome_index(c);
            if let Some(x) = n.get_mut(i) {
                *x += 1;
            }
        }
        let [a, b, c, d] = n;
        [
            (Outcome::Allowed, a),
            (Outcome::AllowedButStateRefuses, b),
            (Outcome::ExplicitDeny, c),
            (Outcome::ImplicitDeny, d),
        ]
    }
}

fn outcome_index(c: &Cell) -> usize {
    match c.outcome() {
        Outcome::Allowed => 0,
        Outcome::AllowedButStateRefuses => 1,
        Outcome::ExplicitDeny => 2,
        Outcome::ImplicitDeny => 3,
    }
}

/// One RFC 4180 field.
fn push_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_as_rfc_4180_says() {
        let mut s = String::new();
        push_field(&mut s, "plain");
        s.push('|');
        push_field(&mut s, "a,b");
        s.push('|');
        push_field(&mut s, "say \"hi\"");
        s.push('|');
        push_field(&mut s, "two\nlines");
        assert_eq!(s, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"");
    }

    #[test]
    fn outcome_filters() {
        assert!(OutcomeFilter::Denied.keeps(Outcome::ExplicitDeny));
        assert!(OutcomeFilter::Denied.keeps(Outcome::ImplicitDeny));
        assert!(!OutcomeFilter::Denied.keeps(Outcome::Allowed));
        assert!(!OutcomeFilter::Allowed.keeps(Outcome::AllowedButStateRefuses));
        assert!(OutcomeFilter::Any.keeps(Outcome::AllowedButStateRefuses));
    }
}
