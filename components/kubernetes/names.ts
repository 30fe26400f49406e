// Resource names: `${component}-${role}`, without saying a word twice.

/**
 * The name of a component's child: `<component>-<role>`, unless the role already starts with the component's
 * name (a node `k3s-node-01` of component `k3s` gives `k3s-node-01-install`, not `k3s-k3s-node-01-install`).
 * Either way the name starts with the component's, which Pulumi relies on to carry a renamed component's
 * aliases over to its children.
 */
export function childName(component: string, role: string): string {
    return role.startsWith(`${component}-`) ? role : `${component}-${role}`;
}
