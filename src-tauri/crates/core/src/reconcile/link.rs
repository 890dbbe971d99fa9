//! Links records that share an id (their own, a key or a parent) into connected components:
//! each component is a one-to-one, one-to-many, many-to-one or many-to-many candidate group.

use std::collections::HashMap;

use super::nodes::{Node, Nodes};

/// Connected components of the shared-id graph, stored compactly: component `c` is
/// `members[starts[c]..starts[c + 1]]`, ascending. Components are ordered by their smallest
/// node, so provider-side records come first within each and the order is canonical.
pub(crate) struct Components {
    starts: Vec<usize>,
    members: Vec<Node>,
}

impl Components {
    /// The components, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &[Node]> {
        self.starts.windows(2).map(|w| &self.members[w[0]..w[1]])
    }
}

/// Finds the components. Every string a record links by is looked up once, so this is linear in
/// the number of strings.
pub(crate) fn components(nodes: &Nodes<'_>) -> Components {
    let mut parent: Vec<Node> = (0..nodes.len()).collect();
    {
        // Dropped before the components are built: at a million records per side this map is
        // the largest transient structure of a run.
        let mut first_with: HashMap<&str, Node> = HashMap::with_capacity(nodes.len().saturating_mul(2));
        for node in 0..nodes.len() {
            for s in nodes.record(node).link_strings().map(|s| s.as_str()) {
                match first_with.get(s) {
                    Some(&other) => union(&mut parent, other, node),
                    None => {
                        first_with.insert(s, node);
                    }
                }
            }
        }
    }
    let roots: Vec<Node> = (0..nodes.len()).map(|n| find(&mut parent, n)).collect();
    drop(parent);
    // Roots are the smallest member (see `union`), so walking nodes in order meets components
    // in order of their smallest member; a counting sort keeps members ascending.
    let mut size = vec![0usize; nodes.len()];
    for &root in &roots {
        size[root] += 1;
    }
    let mut offset = vec![0usize; nodes.len()];
    let mut starts = Vec::new();
    let mut next = 0;
    for node in 0..nodes.len() {
        if size[node] > 0 {
            starts.push(next);
            offset[node] = next;
            next += size[node];
        }
    }
    starts.push(next);
    drop(size);
    let mut members = vec![0; nodes.len()];
    for (node, &root) in roots.iter().enumerate() {
        members[offset[root]] = node;
        offset[root] += 1;
    }
    Components { starts, members }
}

fn find(parent: &mut [Node], mut node: Node) -> Node {
    while parent[node] != node {
        // Path halving: keeps trees shallow without recursion.
        parent[node] = parent[parent[node]];
        node = parent[node];
    }
    node
}

/// Joins two trees under the smaller root, so a root is always its component's smallest node.
fn union(parent: &mut [Node], a: Node, b: Node) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra < rb {
        parent[rb] = ra;
    } else if rb < ra {
        parent[ra] = rb;
    }
}
