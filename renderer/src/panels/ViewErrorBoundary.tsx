import { Component, type ReactNode } from 'react';

/**
 * A view that throws while drawing shows what went wrong in its place, with a way back, instead of
 * taking the whole window down (the toolbar, the other views and unsaved work stay).
 */
export class ViewErrorBoundary extends Component<{ view: string; children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidUpdate(previous: { view: string }) {
    // Another view starts afresh.
    if (previous.view !== this.props.view && this.state.error) this.setState({ error: null });
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <main className="view-error card" role="alert" data-testid="view-error">
        <h2 className="card__title">This view stopped</h2>
        <p>{this.state.error.message}</p>
        <button type="button" className="btn" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </main>
    );
  }
}
