//! A device tree held in memory: nodes with properties and children, written
//! out with `vm-fdt`. The generated tree is built as one of these so that
//! `fdt load` overlays can be merged into it before it is serialized.

use alloc::string::String;
use alloc::vec::Vec;

use vm_fdt::FdtWriter;

/// A property: name and raw (big-endian) value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prop {
    /// Property name.
    pub name: String,
    /// Raw value.
    pub value: Vec<u8>,
}

/// A device tree node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Node {
    /// Node name with unit address (`serial@1c090000`); empty for the root.
    pub name: String,
    /// Properties, in order.
    pub props: Vec<Prop>,
    /// Child nodes, in order.
    pub children: Vec<Node>,
}

/// Big-endian bytes of 32-bit cells.
pub fn cells(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

/// Big-endian bytes of 64-bit values (two cells each).
pub fn cells64(values: &[u64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

/// A string list: each string NUL-terminated.
pub fn strings(values: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for s in values {
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }
    out
}

impl Node {
    /// A node with no properties or children.
    pub fn new(name: impl Into<String>) -> Self {
        Node {
            name: name.into(),
            ..Node::default()
        }
    }

    /// Sets `name` to `value`, replacing a property of that name.
    pub fn set(&mut self, name: &str, value: Vec<u8>) -> &mut Self {
        match self.props.iter_mut().find(|p| p.name == name) {
            Some(p) => p.value = value,
            None => self.props.push(Prop {
                name: String::from(name),
                value,
            }),
        }
        self
    }

    /// Sets an empty (boolean) property.
    pub fn set_null(&mut self, name: &str) -> &mut Self {
        self.set(name, Vec::new())
    }

    /// Sets a one-cell property.
    pub fn set_u32(&mut self, name: &str, value: u32) -> &mut Self {
        self.set(name, cells(&[value]))
    }

    /// Sets a string property.
    pub fn set_str(&mut self, name: &str, value: &str) -> &mut Self {
        self.set(name, strings(&[value]))
    }

    /// The raw value of the property `name`.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.props
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.as_slice())
    }

    /// The child called `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The child called `name`, to change it.
    pub fn child_mut(&mut self, name: &str) -> Option<&mut Node> {
        self.children.iter_mut().find(|c| c.name == name)
    }

    /// The node at `path` (`/`, `/chosen`, `/cpus/cpu@0`) below this one.
    pub fn find_mut(&mut self, path: &str) -> Option<&mut Node> {
        let mut node = self;
        for part in path.split('/').filter(|p| !p.is_empty()) {
            node = node.child_mut(part)?;
        }
        Some(node)
    }

    /// Adds a child at the end.
    pub fn add(&mut self, child: Node) -> &mut Self {
        self.children.push(child);
        self
    }

    /// The `phandle` (or else `linux,phandle`) of each node in this
    /// subtree: a value found twice is two nodes with one phandle.
    pub fn phandles(&self, out: &mut Vec<u32>) {
        let ph = self.get("phandle").or_else(|| self.get("linux,phandle"));
        if let Some(b) = ph.and_then(|b| <[u8; 4]>::try_from(b).ok()) {
            out.push(u32::from_be_bytes(b));
        }
        for c in &self.children {
            c.phandles(out);
        }
    }

    /// Serializes the tree (this node is the root) to a DTB.
    pub fn to_dtb(&self) -> Result<Vec<u8>, vm_fdt::Error> {
        let mut w = FdtWriter::new()?;
        self.write(&mut w)?;
        w.finish()
    }

    fn write(&self, w: &mut FdtWriter) -> Result<(), vm_fdt::Error> {
        let node = w.begin_node(&self.name)?;
        for p in &self.props {
            w.property(&p.name, &p.value)?;
        }
        for c in &self.children {
            c.write(w)?;
        }
        w.end_node(node)
    }
}
