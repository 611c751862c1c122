// prettier-ignore: reason
const a = [  1,2 ];
// prettier-ignore
const b = [  1,2 ];
