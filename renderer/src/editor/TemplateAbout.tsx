import { useMemo } from 'react';
import { inputImage, TEMPLATES, templateOf, type TemplatePlace } from '../../../core/templates';
import { useApp, useAppStore } from '../store/context';

/** The view that shows a template's use, and the button's words. */
const PLACES: Record<TemplatePlace, { view: string; label: string }> = {
  explore: { view: 'view-explore', label: 'See its latent space in Explore' },
  score: { view: 'view-score', label: 'Rank anomalies with it' },
  lab: { view: 'view-lab', label: 'Try it in the Lab' },
  compare: { view: 'view-runs', label: 'Compare its runs' },
};

/**
 * What the graph on the canvas teaches while it is still one of the templates: what it is, what
 * it is used for, what to watch, and where in the app its use is shown.
 */
export function TemplateAbout() {
  const store = useAppStore();
  const doc = useApp((s) => s.doc);
  const name = useMemo(() => {
    const image = inputImage(doc);
    return image ? templateOf(doc, image) : null;
  }, [doc]);
  if (!name) return null;
  const { label, about } = TEMPLATES[name];
  const place = PLACES[about.tryIn];
  return (
    <details className="template-about" data-testid="template-about" data-template={name}>
      <summary className="template-about__title" title={`About the ${label.toLowerCase()} autoencoder`}>
        About: {label}
      </summary>
      <p>{about.what}</p>
      <p>
        <b>Used for</b> {about.usedFor}
      </p>
      <p>
        <b>Watch</b> {about.watch}
      </p>
      <button type="button" className="link" data-testid="template-try" onClick={() => store.getState().runCommand(place.view)}>
        {place.label} →
      </button>
    </details>
  );
}
