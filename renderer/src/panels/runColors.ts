/** One colour per compared run, the same in every chart, scatter title and table column. */
export const RUN_COLORS = ['#f0b429', '#5aa9e6', '#ef5b5b', '#5cc97b', '#b392f0', '#4fd1c5'];
export const runColor = (index: number) => RUN_COLORS[index % RUN_COLORS.length]!;
