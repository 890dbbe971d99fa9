//! A small backtracking regular-expression matcher for `regex` validation rules (no regex crate
//! is available). Like Salesforce's `REGEX()` (Java `matches`), a pattern must match the whole
//! value. Supported: literals, `.`, classes `[a-z0-9_]` / `[^…]`, `\d \w \s \D \W \S`, escapes,
//! groups `(…)` / `(?:…)`, alternation `|`, quantifiers `* + ? {n} {n,} {n,m}` (lazy `?` suffix
//! accepted), and `^` / `$`.

#[derive(Debug, Clone)]
enum ClassItem {
    Range(char, char),
    Digit(bool),
    Word(bool),
    Space(bool),
}

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    Any,
    Class {
        items: Vec<ClassItem>,
        negated: bool,
    },
    Start,
    End,
    Alt(Vec<Vec<Node>>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub(crate) struct Regex {
    root: Vec<Node>,
}

struct Parser<'a> {
    chars: &'a [char],
    pos: usize,
}

impl ClassItem {
    fn matches(&self, c: char) -> bool {
        match self {
            Self::Range(a, b) => *a <= c && c <= *b,
            Self::Digit(pos) => c.is_ascii_digit() == *pos,
            Self::Word(pos) => (c.is_alphanumeric() || c == '_') == *pos,
            Self::Space(pos) => c.is_whitespace() == *pos,
        }
    }
}

fn shorthand(c: char) -> Option<ClassItem> {
    match c {
        'd' => Some(ClassItem::Digit(true)),
        'D' => Some(ClassItem::Digit(false)),
        'w' => Some(ClassItem::Word(true)),
        'W' => Some(ClassItem::Word(false)),
        's' => Some(ClassItem::Space(true)),
        'S' => Some(ClassItem::Space(false)),
        _ => None,
    }
}

fn escaped_char(c: char) -> char {
    match c {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        other => other,
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        self.pos += 1;
        c
    }

    fn alt(&mut self) -> Result<Vec<Node>, String> {
        let mut branches = vec![self.seq()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            branches.push(self.seq()?);
        }
        if branches.len() == 1 {
            return Ok(branches.pop().unwrap_or_default());
        }
        Ok(vec![Node::Alt(branches)])
    }

    fn seq(&mut self) -> Result<Vec<Node>, String> {
        let mut out = vec![];
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            out.push(self.quantified(atom)?);
        }
        Ok(out)
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        self.chars[start..self.pos]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, String> {
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                self.pos += 1;
                let min = self.number().ok_or("bad {n,m} quantifier")?;
                let max = if self.peek() == Some(',') {
                    self.pos += 1;
                    if self.peek() == Some('}') {
                        None
                    } else {
                        Some(self.number().ok_or("bad {n,m}")?)
                    }
                } else {
                    Some(min)
                };
                if self.peek() != Some('}') {
                    return Err("unclosed {".to_owned());
                }
                (min, max)
            }
            _ => return Ok(atom),
        };
        self.pos += 1;
        if self.peek() == Some('?') {
            self.pos += 1; // Lazy and greedy agree on whether a whole-string match exists.
        }
        if matches!(atom, Node::Start | Node::End) {
            return Err("nothing to repeat".to_owned());
        }
        Ok(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
        })
    }

    fn atom(&mut self) -> Result<Node, String> {
        match self.next().ok_or("unexpected end")? {
            '(' => {
                if self.peek() == Some('?') {
                    self.pos += 1;
                    if self.next() != Some(':') {
                        return Err("unsupported group".to_owned());
                    }
                }
                let inner = self.alt()?;
                if self.next() != Some(')') {
                    return Err("unclosed (".to_owned());
                }
                Ok(Node::Alt(vec![inner]))
            }
            '[' => self.class(),
            '.' => Ok(Node::Any),
            '^' => Ok(Node::Start),
            '$' => Ok(Node::End),
            '\\' => {
                let c = self.next().ok_or("trailing backslash")?;
                Ok(
                    shorthand(c).map_or(Node::Char(escaped_char(c)), |item| Node::Class {
                        items: vec![item],
                        negated: false,
                    }),
                )
            }
            '*' | '+' | '?' => Err("nothing to repeat".to_owned()),
            c => Ok(Node::Char(c)),
        }
    }

    fn class(&mut self) -> Result<Node, String> {
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        let mut items = vec![];
        let mut first = true;
        loop {
            let c = self.next().ok_or("unclosed [")?;
            if c == ']' && !first {
                break;
            }
            first = false;
            let lo = if c == '\\' {
                let e = self.next().ok_or("unclosed [")?;
                if let Some(item) = shorthand(e) {
                    items.push(item);
                    continue;
                }
                escaped_char(e)
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|n| *n != ']') {
                self.pos += 1;
                let mut hi = self.next().ok_or("unclosed [")?;
                if hi == '\\' {
                    hi = escaped_char(self.next().ok_or("unclosed [")?);
                }
                if hi < lo {
                    return Err("bad range".to_owned());
                }
                items.push(ClassItem::Range(lo, hi));
            } else {
                items.push(ClassItem::Range(lo, lo));
            }
        }
        Ok(Node::Class { items, negated })
    }
}

impl Regex {
    /// Compiles a pattern, or says why it is not supported.
    pub(crate) fn new(pattern: &str) -> Result<Self, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut p = Parser {
            chars: &chars,
            pos: 0,
        };
        let root = p.alt()?;
        if p.pos < chars.len() {
            return Err(format!("unexpected '{}'", chars[p.pos]));
        }
        Ok(Self { root })
    }

    /// Whether the pattern matches the whole of `text`.
    pub(crate) fn is_full_match(&self, text: &str) -> bool {
        let s: Vec<char> = text.chars().collect();
        let len = s.len();
        match_seq(&self.root, 0, &s, &mut |end| end == len)
    }
}

fn match_atom(node: &Node, i: usize, s: &[char]) -> Option<usize> {
    match node {
        Node::Char(c) => (s.get(i) == Some(c)).then_some(i + 1),
        Node::Any => (i < s.len() && s[i] != '\n').then_some(i + 1),
        Node::Class { items, negated } => {
            let c = *s.get(i)?;
            (items.iter().any(|it| it.matches(c)) != *negated).then_some(i + 1)
        }
        Node::Start => (i == 0).then_some(i),
        Node::End => (i == s.len()).then_some(i),
        Node::Alt(_) | Node::Repeat { .. } => None,
    }
}

fn match_seq(seq: &[Node], i: usize, s: &[char], k: &mut dyn FnMut(usize) -> bool) -> bool {
    let Some((first, rest)) = seq.split_first() else {
        return k(i);
    };
    match first {
        Node::Alt(branches) => branches
            .iter()
            .any(|b| match_seq(b, i, s, &mut |j| match_seq(rest, j, s, k))),
        Node::Repeat { node, min, max } => {
            match_repeat(node, *min, *max, 0, i, s, &mut |j| match_seq(rest, j, s, k))
        }
        atom => match match_atom(atom, i, s) {
            Some(j) => match_seq(rest, j, s, k),
            None => false,
        },
    }
}

fn match_repeat(
    node: &Node,
    min: u32,
    max: Option<u32>,
    count: u32,
    i: usize,
    s: &[char],
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    if max.is_none_or(|m| count < m) {
        let one = std::slice::from_ref(node);
        // Greedy: one more repetition first; insist on progress so `(a*)*` terminates.
        let more = match_seq(one, i, s, &mut |j| {
            (j != i || count < min) && match_repeat(node, min, max, count + 1, j, s, k)
        });
        if more {
            return true;
        }
    }
    count >= min && k(i)
}

#[cfg(test)]
mod tests {
    use super::Regex;

    fn m(p: &str, t: &str) -> bool {
        Regex::new(p).map(|r| r.is_full_match(t)).unwrap_or(false)
    }

    #[test]
    fn matches_whole_values() {
        assert!(m("[A-Z]{3}", "EUR"));
        assert!(!m("[A-Z]{3}", "EURO"));
        assert!(!m("[A-Z]{3}", "eur"));
        assert!(m("cus_[A-Za-z0-9]+", "cus_Abc123"));
        assert!(!m("cus_[A-Za-z0-9]+", "ch_Abc123"));
        assert!(m("\\d+(\\.\\d{1,2})?", "12.50"));
        assert!(!m("\\d+(\\.\\d{1,2})?", "12.505"));
        assert!(m("^(Stripe|Payoneer)$", "Payoneer"));
        assert!(m("[^@\\s]+@[^@\\s]+\\.[a-z]{2,}", "ana@example.com"));
        assert!(m("(a*)*b", "aaab"));
        assert!(m(".*", ""));
        assert!(Regex::new("(abc").is_err());
        assert!(Regex::new("*a").is_err());
    }
}
