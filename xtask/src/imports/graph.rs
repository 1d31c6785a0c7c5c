//! Strongly connected components (Tarjan) and layers of a file graph.

use std::collections::BTreeSet;

/// The strongly connected components of the graph of `n` nodes with
/// `edges`, each sorted, every node in exactly one; a component comes after
/// every component it has an edge to (Tarjan's order).
pub fn components(n: usize, edges: &BTreeSet<(usize, usize)>) -> Vec<Vec<usize>> {
    let mut succ = vec![Vec::new(); n];
    for &(a, b) in edges {
        succ[a].push(b);
    }
    let mut t = Tarjan {
        succ: &succ,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if t.index[v].is_none() {
            t.visit(v);
        }
    }
    t.out
}

struct Tarjan<'a> {
    succ: &'a [Vec<usize>],
    index: Vec<Option<usize>>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    next: usize,
    out: Vec<Vec<usize>>,
}

impl Tarjan<'_> {
    fn visit(&mut self, v: usize) {
        self.index[v] = Some(self.next);
        self.low[v] = self.next;
        self.next += 1;
        self.stack.push(v);
        self.on_stack[v] = true;
        for &w in &self.succ[v] {
            match self.index[w] {
                None => {
                    self.visit(w);
                    self.low[v] = self.low[v].min(self.low[w]);
                }
                Some(iw) if self.on_stack[w] => self.low[v] = self.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(self.low[v]) == self.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = self.stack.pop().expect("v is on the stack");
                self.on_stack[w] = false;
                comp.push(w);
                if w == v {
                    break;
                }
            }
            comp.sort_unstable();
            self.out.push(comp);
        }
    }
}

/// The layer of each component of `comps` (as [`components`] returns
/// them): 0 for one with no edge out of it, else one more than the highest
/// layer it has an edge to.
pub fn layers(comps: &[Vec<usize>], edges: &BTreeSet<(usize, usize)>) -> Vec<usize> {
    let n = comps.iter().map(|c| c.len()).sum();
    let mut comp_of = vec![0; n];
    for (i, c) in comps.iter().enumerate() {
        for &v in c {
            comp_of[v] = i;
        }
    }
    let mut layer = vec![0; comps.len()];
    // Tarjan's order has every component after those it points to.
    for i in 0..comps.len() {
        layer[i] = edges
            .iter()
            .filter(|&&(a, b)| comp_of[a] == i && comp_of[b] != i)
            .map(|&(_, b)| layer[comp_of[b]] + 1)
            .max()
            .unwrap_or(0);
    }
    layer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(edges: &[(usize, usize)]) -> BTreeSet<(usize, usize)> {
        edges.iter().copied().collect()
    }

    #[test]
    fn finds_cycles_and_orders_components() {
        // 0 -> 1 -> 2 -> 0 (a knot), 2 -> 3, 4 alone, 5 -> 4.
        let e = set(&[(0, 1), (1, 2), (2, 0), (2, 3), (5, 4)]);
        let comps = components(6, &e);
        let mut sorted = comps.clone();
        sorted.sort();
        assert_eq!(sorted, vec![vec![0, 1, 2], vec![3], vec![4], vec![5]]);
        let pos = |v: usize| comps.iter().position(|c| c.contains(&v)).unwrap();
        assert!(pos(3) < pos(0), "a component comes after what it points to");
        assert!(pos(4) < pos(5));
        let layer = layers(&comps, &e);
        assert_eq!(layer[pos(3)], 0);
        assert_eq!(layer[pos(0)], 1);
        assert_eq!(layer[pos(4)], 0);
        assert_eq!(layer[pos(5)], 1);
    }

    #[test]
    fn a_chain_has_one_layer_per_file() {
        let e = set(&[(0, 1), (1, 2), (0, 2)]);
        let comps = components(3, &e);
        assert!(comps.iter().all(|c| c.len() == 1));
        let layer = layers(&comps, &e);
        let of = |v: usize| layer[comps.iter().position(|c| c == &vec![v]).unwrap()];
        assert_eq!((of(0), of(1), of(2)), (2, 1, 0));
    }
}
