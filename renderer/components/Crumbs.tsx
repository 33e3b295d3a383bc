// A breadcrumb of the textbook tree: the root, then each node down to the current one.
export function Crumbs({ label, root, trail, onGo }: { label: string; root: string; trail: { id: string; title: string }[]; onGo: (node: string | null) => void }) {
  return (
    <nav className="crumbs" aria-label={label}>
      <button type="button" className="crumb" onClick={() => onGo(null)}>
        {root}
      </button>
      {trail.map((n) => (
        <button key={n.id} type="button" className="crumb" onClick={() => onGo(n.id)}>
          {n.title}
        </button>
      ))}
    </nav>
  );
}
